/**
 * Bearer-token authentication for `/v1` (`API_TOKEN`). The token is compared in constant time
 * (over SHA-256 digests, so the comparison does not leak the token's length either), and a refusal
 * says which scheme to use in `WWW-Authenticate` (RFC 6750).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ApiError } from './api-error.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether `presented` equals `expected`, in time that depends on neither. */
export function tokensMatch(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

/** A middleware that lets a request through only with `Authorization: Bearer <token>`. */
export function bearerAuth(token: string): RequestHandler {
  if (token === '') throw new Error('bearerAuth: the token must not be empty');
  return (req, res, next) => {
    const header = req.get('authorization');
    const match = header === undefined ? null : /^Bearer[ ]+(\S+)\s*$/i.exec(header);
    const presented = match?.[1];
    if (presented !== undefined && tokensMatch(presented, token)) {
      next();
      return;
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
