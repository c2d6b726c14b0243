/**
 * Saga ids. A caller's idempotency key names one saga forever: the id is derived from (type, key)
 * with a hash, so "start the same thing twice" needs no separate key index and stays atomic on
 * the store's create-if-absent.
 */
import { createHash, randomUUID } from 'node:crypto';

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,200}$/;

export function isValidSagaId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/** `order-<32 hex>` for a key: the same (type, key) always gives the same id. */
export function sagaIdForKey(type: string, idempotencyKey: string): string {
  const digest = createHash('sha256').update(`${type}\u0000${idempotencyKey}`).digest('hex');
  return `${type}-${digest.slice(0, 32)}`;
}

/** The id for a start request: the caller's id, else one derived from its key, else a new one. */
export function resolveSagaId(request: {
  type: string;
  id?: string | undefined;
  idempotencyKey?: string | undefined;
}): string {
  if (request.id !== undefined) return request.id;
  if (request.idempotencyKey !== undefined) {
    return sagaIdForKey(request.type, request.idempotencyKey);
  }
  return `${request.type}-${randomUUID()}`;
}
