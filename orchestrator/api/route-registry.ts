/**
 * Registers a route only for an operation of the OpenAPI table, with its request validator in
 * front: a handler cannot exist without its documentation, nor skip its validation. An action
 * (`isActionOperation`) gets the operator check in front of everything else, so no action can be
 * registered that the read-only token may call.
 */
import type { Request, RequestHandler, Response, Router } from 'express';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import { requireOperator } from './bearer-auth.js';
import { isActionOperation, operation, type OperationId } from './openapi/operations.js';
import { requestValidator, validatedRequest, type ValidatedRequest } from './request-validation.js';

export type RouteHandler = (
  input: ValidatedRequest,
  req: Request,
  res: Response,
) => Promise<void> | void;

export interface RouteRegistry {
  add(operationId: OperationId, handler: RouteHandler): void;
}

/** `jsonBody` reads the body, in front of the operations that document one and only those. */
export function routeRegistry(
  router: Router,
  ajv: { strict: Ajv2020; coercing: Ajv2020 },
  jsonBody: RequestHandler,
): RouteRegistry {
  return {
    add(operationId, handler) {
      const spec = operation(operationId);
      const bodyParser: RequestHandler[] = spec.body ? [jsonBody] : [];
      const roleCheck: RequestHandler[] = isActionOperation(spec) ? [requireOperator] : [];
      router[spec.method](
        spec.path,
        ...roleCheck,
        ...bodyParser,
        requestValidator(spec, ajv),
        async (req, res) => {
          await handler(validatedRequest(res), req, res);
        },
      );
    },
  };
}
