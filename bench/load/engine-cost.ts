/**
 * The orchestrator's CPU per saga with the I/O taken away: the order saga started and driven
 * through its three success replies by the pure engine, in a loop, in this process. Two figures:
 *
 * - `engineMs`: `engine.start` + 3 × `engine.apply` (XState transitions, settle, snapshots);
 * - `stepMs`: the same plus what the runtime does around each step without touching the network —
 *   parsing and validating the reply, decoding the stored record, building the outbox messages
 *   and the store script's arguments.
 *
 * Everything else the orchestrator spends per saga (ioredis, kafkajs, sockets, the outbox relay,
 * GC of all of it) is the difference to its measured CPU per saga under load.
 */
import { performance } from 'node:perf_hooks';
import { topicNames } from '../../wire/contract/topics.js';
import { parseReply } from '../../wire/contract/validate.js';
import { createEngine } from '../../orchestrator/engine/create-engine.js';
import type { SagaRecord } from '../../orchestrator/engine/types.js';
import { outgoingMessages } from '../../orchestrator/runtime/outgoing-messages.js';
import { applyStepCall } from '../../orchestrator/store/apply-step-call.js';
import { createStoreKeys } from '../../orchestrator/store/keys.js';
import {
  recordFromValues,
  RECORD_FIELDS,
  recordToFields,
} from '../../orchestrator/store/record-codec.js';
import { orderSaga } from '../../sagas/order/index.js';
import { orderInput } from './order-input.js';

export interface EngineCost {
  sagas: number;
  /** CPU ms per saga: start + three replies through the pure engine. */
  engineMs: number;
  /** CPU ms per saga: the engine plus reply parsing, record decoding and write preparation. */
  stepMs: number;
}

const engine = createEngine([orderSaga]);
const topics = topicNames('bench');
const keys = createStoreKeys('bench', 16);
const settings = { retentionMs: 60_000, historyLimit: 500 };

function runSaga(n: number, withStepWork: boolean): void {
  const sagaId = `engine-cost-${n}`;
  let now = 1_700_000_000_000;
  const started = engine.start('order', { sagaId, input: orderInput(sagaId), now });
  if (started.outcome === 'rejected') throw new Error(started.message);
  let record: SagaRecord = started.record;
  if (withStepWork) {
    const outbox = outgoingMessages(record, started.effects, { topics });
    applyStepCall(keys, settings, 0, record, { outbox, history: started.history });
  }
  for (let step = 0; step < 3; step++) {
    const pending = record.pending[0];
    if (!pending) throw new Error(`saga ${sagaId} waits for nothing at step ${step}`);
    now += 5;
    const reply = {
      commandId: pending.commandId,
      sagaId,
      type: pending.command,
      outcome: 'success' as const,
    };
    let event = { kind: 'reply' as const, reply };
    if (withStepWork) {
      const parsed = parseReply(Buffer.from(JSON.stringify(reply)));
      if (!parsed.ok) throw new Error(parsed.reason);
      event = { kind: 'reply', reply: parsed.value as typeof reply };
      record = decodeStored(record);
    }
    const applied = engine.apply(record, event, now);
    if (applied.outcome !== 'applied') throw new Error(`step ${step}: ${applied.outcome}`);
    if (withStepWork) {
      const outbox = outgoingMessages(applied.record, applied.effects, { topics });
      applyStepCall(keys, settings, record.revision, applied.record, {
        outbox,
        history: applied.history,
      });
    }
    record = applied.record;
  }
  if (record.status !== 'completed') throw new Error(`saga ${sagaId} ended ${record.status}`);
}

/** The record as the step runner gets it back from Redis (HMGET of the record's fields). */
function decodeStored(record: SagaRecord): SagaRecord {
  const fields = recordToFields(record);
  const byName = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2)
    byName.set(String(fields[i]), String(fields[i + 1]));
  const decoded = recordFromValues(
    record.id,
    RECORD_FIELDS.map((name) => byName.get(name) ?? null),
  );
  if (!decoded) throw new Error(`record ${record.id} did not decode`);
  return decoded;
}

function cpuMsPerSaga(sagas: number, withStepWork: boolean): number {
  for (let i = 0; i < Math.min(2_000, sagas); i++) runSaga(i, withStepWork); // JIT warm-up
  const before = process.cpuUsage();
  for (let i = 0; i < sagas; i++) runSaga(i, withStepWork);
  const used = process.cpuUsage(before);
  return Math.round(((used.user + used.system) / 1000 / sagas) * 1000) / 1000;
}

export function measureEngineCost(sagas: number): EngineCost & { seconds: number } {
  const began = performance.now();
  const engineMs = cpuMsPerSaga(sagas, false);
  const stepMs = cpuMsPerSaga(sagas, true);
  return { sagas, engineMs, stepMs, seconds: (performance.now() - began) / 1000 };
}
