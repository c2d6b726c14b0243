/**
 * A command ledger in a Map, for unit tests of the SDK's logic (the Redis ledger is tested
 * against real Redis in test/integration). Same rules: one claim at a time, first result wins.
 */
import type { CommandLedger, RecordedResult } from '../../../../participants/sdk/index.js';

export interface MemoryLedger extends CommandLedger {
  readonly records: Map<
    string,
    { state: 'claimed' | 'done'; owner?: string; result?: RecordedResult }
  >;
}

export function memoryLedger(): MemoryLedger {
  const records: MemoryLedger['records'] = new Map();
  return {
    records,
    async claim(commandId, owner) {
      const record = records.get(commandId);
      if (record?.state === 'done' && record.result) return { kind: 'done', result: record.result };
      if (record?.state === 'claimed') return { kind: 'busy', leaseLeftMs: 1000 };
      records.set(commandId, { state: 'claimed', owner });
      return { kind: 'claimed' };
    },
    async extend(commandId, owner) {
      const record = records.get(commandId);
      return record?.state === 'claimed' && record.owner === owner;
    },
    async complete(commandId, owner, result) {
      const record = records.get(commandId);
      if (record?.state === 'done' && record.result) {
        return { result: record.result, existing: true, claimLost: false };
      }
      records.set(commandId, { state: 'done', result });
      return { result, existing: false, claimLost: record?.owner !== owner };
    },
    async release(commandId, owner) {
      const record = records.get(commandId);
      if (record?.state === 'claimed' && record.owner === owner) records.delete(commandId);
    },
  };
}
