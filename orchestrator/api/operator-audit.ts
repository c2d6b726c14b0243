/**
 * Who asked for an action and why: the `Saga-Actor` and `Saga-Reason` headers (UTF-8,
 * percent-encoded as by `encodeURIComponent`, so any name travels in a header). The role is the
 * caller's, set by the auth middleware in `res.locals.role` (no token configured: `operator`).
 */
import type { Request, Response } from 'express';
import type { OperatorAudit } from '../engine/index.js';
import { ApiError } from './api-error.js';

export const ACTOR_HEADER = 'Saga-Actor';
export const REASON_HEADER = 'Saga-Reason';

/** The audit of the action `req` asks for; 400 when a header is not valid percent-encoding. */
export function operatorAudit(req: Request, res: Response): OperatorAudit {
  const role = (res.locals as { role?: string }).role ?? 'operator';
  const actor = decodedHeader(req, ACTOR_HEADER);
  const reason = decodedHeader(req, REASON_HEADER);
  return {
    actor: actor === undefined || actor === '' ? role : actor,
    ...(reason !== undefined && reason !== '' ? { reason } : {}),
    // Only an operator reaches an action: a read-only caller is refused before (403).
    role: 'operator',
  };
}

function decodedHeader(req: Request, name: string): string | undefined {
  const raw = req.get(name);
  if (raw === undefined) return undefined;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiError(
      'VALIDATION_FAILED',
      `header ${name} is not percent-encoded UTF-8 (encode it with encodeURIComponent)`,
      { errors: [{ in: 'header', name, message: 'is not valid percent-encoding' }] },
    );
  }
}
