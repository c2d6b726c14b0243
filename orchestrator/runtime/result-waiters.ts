/**
 * Long-polling for a saga's result (`GET /v1/sagas/:id/result`). A waiter is woken at once when
 * this instance writes the saga's step; a slow re-read covers steps other instances write.
 */
import { isAtRest as isAtRestStatus } from '../../wire/contract/index.js';
import type { SagaRecord } from '../engine/index.js';

/** A saga is "at rest" once it is no longer running: ended, or parked for an operator. */
const isAtRest = (record: SagaRecord) => isAtRestStatus(record.status);

export interface ResultWaitersOptions {
  load: (sagaId: string) => Promise<SagaRecord | undefined>;
  /**
   * How often a waiter re-reads the saga, for steps written by other instances.
   * @default 250
   */
  pollIntervalMs?: number;
}

export class ResultWaiters {
  private readonly waiting = new Map<string, Set<(record: SagaRecord) => void>>();
  private readonly pollIntervalMs: number;

  constructor(private readonly options: ResultWaitersOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
  }

  /** Called for every record this instance writes. */
  committed(record: SagaRecord): void {
    if (!isAtRest(record)) return;
    const listeners = this.waiting.get(record.id);
    if (!listeners) return;
    for (const listener of listeners) listener(record);
  }

  /**
   * Resolves with the saga once it is at rest, or with its current record when `timeoutMs`
   * passes first; `undefined` if there is no such saga.
   */
  async wait(sagaId: string, timeoutMs: number): Promise<SagaRecord | undefined> {
    const current = await this.options.load(sagaId);
    if (!current || isAtRest(current) || timeoutMs <= 0) return current;
    return new Promise<SagaRecord | undefined>((resolve) => {
      let latest: SagaRecord = current;
      let settled = false;
      const finish = (record: SagaRecord | undefined) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        clearInterval(poll);
        listeners.delete(listener);
        if (listeners.size === 0) this.waiting.delete(sagaId);
        resolve(record);
      };
      const listener = (record: SagaRecord) => finish(record);
      const listeners = this.waiting.get(sagaId) ?? new Set();
      listeners.add(listener);
      this.waiting.set(sagaId, listeners);
      const deadline = setTimeout(() => finish(latest), timeoutMs);
      const poll = setInterval(() => {
        this.options.load(sagaId).then(
          (record) => {
            if (!record) return finish(undefined);
            latest = record;
            if (isAtRest(record)) finish(record);
          },
          () => undefined, // a failed re-read is retried on the next tick
        );
      }, this.pollIntervalMs);
    });
  }

  /** Wakes every waiter with what the store holds now (shutdown). */
  async releaseAll(): Promise<void> {
    const ids = [...this.waiting.keys()];
    await Promise.all(
      ids.map(async (id) => {
        const record = await this.options.load(id).catch(() => undefined);
        for (const listener of this.waiting.get(id) ?? []) if (record) listener(record);
      }),
    );
  }
}
