/**
 * Bearer-token authentication and roles for `/v1`. `API_TOKEN` is the operator's token (every
 * route), `API_READ_TOKEN` the read-only one (every GET; an action answers 403, see
 * `requireOperator`). Tokens are compared in constant time (over SHA-256 digests, so the
 * comparison does not leak a token's length either), each presented token against every
 * configured one, and a refusal says which scheme to use in `WWW-Authenticate` (RFC 6750).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import { ApiError } from './api-error.js';

/** What a request may do: `operator` everything, `read-only` every GET of `/v1`. */
export type ApiRole = 'operator' | 'read-only';

export interface ApiTokens {
  /** `API_TOKEN`: every route. */
  operator: string;
  /** `API_READ_TOKEN`: reads only. */
  readOnly?: string | undefined;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether `presented` equals `expected`, in time that depends on neither. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/**
 * The role the auth middleware gave the request (`operator` when no token is configured). A
 * request no auth middleware saw is `read-only`: a routing mistake fails closed, not open.
 */
export function roleOf(res: Response): ApiRole {
  return (res.locals as { role?: ApiRole }).role ?? 'read-only';
}

function setRole(res: Response, role: ApiRole): void {
  (res.locals as { role?: ApiRole }).role = role;
}

/** Without tokens the API is open: every request is the operator's, as before roles existed. */
export const openAccess: RequestHandler = (_req, res, next) => {
  setRole(res, 'operator');
  next();
};

/**
 * A middleware that lets a request through only with `Authorization: Bearer <token>` of one of
 * the configured tokens, and records its role in `res.locals.role`.
 */
export function bearerAuth(tokens: ApiTokens): RequestHandler {
  if (tokens.operator === '') throw new Error('bearerAuth: the operator token must not be empty');
  if (tokens.readOnly === '') throw new Error('bearerAuth: the read-only token must not be empty');
  if (tokens.readOnly !== undefined && tokensMatch(tokens.readOnly, tokens.operator)) {
    throw new Error('bearerAuth: the read-only token must differ from the operator token');
  }
  const readOnly = tokens.readOnly;
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const presented = match?.[1];
    if (presented !== undefined) {
      // Both comparisons always run, so the time taken does not tell which token matched.
      const isOperator = tokensMatch(presented, tokens.operator);
      const isReader = readOnly !== undefined && tokensMatch(presented, readOnly);
      if (isOperator || isReader) {
        setRole(res, isOperator ? 'operator' : 'read-only');
        next();
        return;
      }
    }
    const problem = presented === undefined ? 'missing' : 'wrong';
    res.set(
      'WWW-Authenticate',
      problem === 'missing'
        ? 'Bearer realm="saga-orchestrator"'
        : 'Bearer realm="saga-orchestrator", error="invalid_token"',
    );
    next(
      new ApiError(
        'UNAUTHORIZED',
        problem === 'missing'
          ? 'this route needs the header Authorization: Bearer <API_TOKEN>'
          : 'the bearer token is not valid',
      ),
    );
  };
}

/**
 * In front of every action (see `isActionOperation`): only the operator may go on. Runs before
 * the body is read, so a refused request's body is never parsed.
 */
export const requireOperator: RequestHandler = (req, res, next) => {
  if (roleOf(res) === 'operator') {
    next();
    return;
  }
  next(
    new ApiError('FORBIDDEN', `the read-only token may not ${req.method} ${req.path}`, {
      role: roleOf(res),
    }),
  );
};
