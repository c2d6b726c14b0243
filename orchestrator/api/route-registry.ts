/**
 * Registers a route only for an operation of the OpenAPI table, with its request validator in
 * front: a handler cannot exist without its documentation, nor skip its validation.
 */
import type { Request, Response, Router } from 'express';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { operation, type OperationId } from './openapi/operations.js';
import { requestValidator, validatedRequest, type ValidatedRequest } from './request-validation.js';

export type RouteHandler = (
  input: ValidatedRequest,
  req: Request,
  res: Response,
) => Promise<void> | void;

export interface RouteRegistry {
  add(operationId: OperationId, handler: RouteHandler): void;
}

export function routeRegistry(
  router: Router,
  ajv: { strict: Ajv2020; coercing: Ajv2020 },
): RouteRegistry {
  return {
    add(operationId, handler) {
      const spec = operation(operationId);
      router[spec.method](spec.path, requestValidator(spec, ajv), async (req, res) => {
        await handler(validatedRequest(res), req, res);
      });
    },
  };
}
