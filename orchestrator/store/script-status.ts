/**
 * The status codes the Lua scripts answer with (see each script's header), and the one place
 * where a script's reply becomes a result or an error (cf. BullMQ's `ErrorCode`).
 */
import type { SagaRecord } from '../engine/index.js';
import { UnexpectedScriptReplyError } from './errors.js';
import { recordFromPairs } from './record-codec.js';
import type { CommitResult } from './types.js';

export enum ScriptStatus {
  /** The write happened. */
  Ok = 1,
  /**
   * Nothing changed: for discard-timer, the timer was re-armed since its claim, or is gone.
   */
  Unchanged = 0,
  /** apply-step, create: a saga with this id exists. */
  SagaExists = -1,
  /** apply-step, commit: no such saga. */
  SagaMissing = -2,
  /** apply-step, commit: the stored revision is not the expected one. */
  VersionConflict = -3,
  /** read-outbox, ack-outbox, claim-timers: the shard's owner epoch moved (shard-epochs.ts). */
  Fenced = -4,
}

/** What apply-step did, for a create or a commit. */
export type ApplyOutcome = CommitResult | { status: 'exists'; sagaId: string; record: SagaRecord };

/** Turns an apply-step reply into its outcome; anything unexpected is an error. */
export function interpretApplyReply(
  sagaId: string,
  reply: unknown,
  revision: number,
): ApplyOutcome {
  const [code, detail] = Array.isArray(reply) ? (reply as unknown[]) : [];
  switch (code) {
    case ScriptStatus.Ok:
      return { status: 'committed', sagaId, revision };
    case ScriptStatus.SagaExists:
      if (!Array.isArray(detail)) break;
      return { status: 'exists', sagaId, record: recordFromPairs(sagaId, detail) };
    case ScriptStatus.SagaMissing:
      return { status: 'missing', sagaId };
    case ScriptStatus.VersionConflict:
      if (typeof detail !== 'number') break;
      return { status: 'conflict', sagaId, currentRevision: detail };
  }
  throw new UnexpectedScriptReplyError(`apply-step answered ${JSON.stringify(reply)}`, { sagaId });
}

/**
 * Turns the reply of a script that either acts or leaves things as they are (discard-timer)
 * into whether it acted.
 */
export function interpretOkReply(script: string, reply: unknown): boolean {
  if (reply === ScriptStatus.Ok) return true;
  if (reply === ScriptStatus.Unchanged) return false;
  throw new UnexpectedScriptReplyError(`${script} answered ${JSON.stringify(reply)}`);
}
