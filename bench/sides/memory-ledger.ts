/**
 * A {@link CommandLedger} in process memory, for the bench's `--ledger memory` runs: it keeps the
 * SDK's claim → complete protocol (so the SDK code path is the same) without the two Redis
 * scripts per command, to show what the participants' Redis ledger costs this shared machine.
 * Records expire after the TTL (swept every few seconds), so a long run stays bounded.
 * Only good for one participant process: the claim is not shared across instances.
 */
import type {
  ClaimOutcome,
  CommandLedger,
  CompleteOutcome,
  RecordedResult,
} from '../../participants/sdk/index.js';

interface Entry {
  state: 'claimed' | 'done';
  owner: string;
  result?: RecordedResult;
  expiresAt: number;
}

export function memoryCommandLedger(sweepEveryMs = 5_000): CommandLedger & { close(): void } {
  const entries = new Map<string, Entry>();
  const live = (commandId: string) => {
    const entry = entries.get(commandId);
    if (entry && entry.expiresAt <= Date.now()) {
      entries.delete(commandId);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [id, entry] of entries) if (entry.expiresAt <= now) entries.delete(id);
  }, sweepEveryMs);
  sweep.unref();

  return {
    async claim(commandId, owner, leaseMs): Promise<ClaimOutcome> {
      const entry = live(commandId);
      if (entry?.state === 'done' && entry.result) return { kind: 'done', result: entry.result };
      if (entry?.state === 'claimed') {
        return { kind: 'busy', leaseLeftMs: Math.max(0, entry.expiresAt - Date.now()) };
      }
      entries.set(commandId, { state: 'claimed', owner, expiresAt: Date.now() + leaseMs });
      return { kind: 'claimed' };
    },
    async extend(commandId, owner, leaseMs) {
      const entry = live(commandId);
      if (entry?.state !== 'claimed' || entry.owner !== owner) return false;
      entry.expiresAt = Date.now() + leaseMs;
      return true;
    },
    async complete(commandId, owner, result, ttlMs): Promise<CompleteOutcome> {
      const entry = live(commandId);
      if (entry?.state === 'done' && entry.result) {
        return { result: entry.result, existing: true, claimLost: false };
      }
      const claimLost = entry?.owner !== owner;
      entries.set(commandId, { state: 'done', owner, result, expiresAt: Date.now() + ttlMs });
      return { result, existing: false, claimLost };
    },
    async release(commandId, owner) {
      if (live(commandId)?.owner === owner) entries.delete(commandId);
    },
    close: () => clearInterval(sweep),
  };
}
