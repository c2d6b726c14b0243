/**
 * The status codes the Lua scripts answer with (see each script's header), and the one place
 * where a script's reply becomes a result or an error (cf. BullMQ's `ErrorCode`).
 */
import type { SagaRecord } from '../engine/types.js';
import { UnexpectedScriptReplyError } from './errors.js';
import { recordFromPairs } from './record-codec.js';
import type { CommitResult } from './types.js';

export enum ScriptStatus {
  /** The write happened; for a lease script, the caller holds the lease. */
  Ok = 1,
  /** Lease scripts: another owner holds the lease (or nobody, for renew/release). */
  NotLeaseOwner = 0,
  /** apply-step, create: a saga with this id exists. */
  SagaExists = -1,
  /** apply-step, commit: no such saga. */
  SagaMissing = -2,
  /** apply-step, commit: the stored version is not the expected one. */
  VersionConflict = -3,
}

/** What apply-step did, for a create or a commit. */
export type ApplyOutcome = CommitResult | { status: 'exists'; sagaId: string; record: SagaRecord };

/** Turns an apply-step reply into its outcome; anything unexpected is an error. */
export function interpretApplyReply(sagaId: string, reply: unknown, version: number): ApplyOutcome {
  const [code, detail] = Array.isArray(reply) ? (reply as unknown[]) : [];
  switch (code) {
    case ScriptStatus.Ok:
      return { status: 'committed', sagaId, version };
    case ScriptStatus.SagaExists:
      if (!Array.isArray(detail)) break;
      return { status: 'exists', sagaId, record: recordFromPairs(sagaId, detail) };
    case ScriptStatus.SagaMissing:
      return { status: 'missing', sagaId };
    case ScriptStatus.VersionConflict:
      if (typeof detail !== 'number') break;
      return { status: 'conflict', sagaId, currentVersion: detail };
  }
  throw new UnexpectedScriptReplyError(`apply-step answered ${JSON.stringify(reply)}`, { sagaId });
}

/** Turns a lease script's reply into whether the caller holds (or released) the lease. */
export function interpretLeaseReply(reply: unknown): boolean {
  if (reply === ScriptStatus.Ok) return true;
  if (reply === ScriptStatus.NotLeaseOwner) return false;
  throw new UnexpectedScriptReplyError(`a lease script answered ${JSON.stringify(reply)}`);
}
