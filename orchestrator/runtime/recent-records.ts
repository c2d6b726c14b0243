/**
 * The records this instance wrote last, so the next step of a saga can skip loading it: most
 * replies come back to the instance that sent the command, a moment after it committed the step.
 *
 * A cached record is only a guess at the stored one. The saga event applier stays correct whatever the
 * cache holds: every commit compares the stored revision (a stale guess loses the race and is
 * re-run from a fresh load), and an input that a cached record would ignore is re-checked against
 * a fresh load before it is ignored (a stale record must not drop a reply the stored one awaits).
 *
 * One gap the version cannot close: a saga that ended, was purged after its retention, and was
 * started again under the same id (ids derived from an idempotency key) starts again at version 1,
 * so a stale record of the old saga could match a version of the new one. Entries therefore
 * expire after `maxAgeMs`, which the orchestrator keeps well below the store's retention: no saga
 * can end, be purged and come back to the same version while an entry is trusted.
 */
import { isEnded, type SagaRecord } from '../engine/index.js';

export interface RecentRecordsOptions {
  /** Records kept; the oldest written goes first. 0 turns the cache off. */
  capacity: number;
  /** A record older than this (since it was cached) is not trusted. */
  maxAgeMs: number;
}

export class RecentRecords {
  private readonly entries = new Map<string, { record: SagaRecord; cachedAt: number }>();

  constructor(private readonly options: RecentRecordsOptions) {}

  get size(): number {
    return this.entries.size;
  }

  /** The record last cached for this saga, if it is young enough to trust. */
  get(sagaId: string, now: number): SagaRecord | undefined {
    const entry = this.entries.get(sagaId);
    if (!entry) return undefined;
    if (now - entry.cachedAt > this.options.maxAgeMs || now < entry.cachedAt) {
      this.entries.delete(sagaId);
      return undefined;
    }
    return entry.record;
  }

  /** Remembers a record that is stored now; an ended saga moves no more and is forgotten. */
  set(record: SagaRecord, now: number): void {
    this.entries.delete(record.id);
    if (this.options.capacity <= 0 || isEnded(record.status)) return;
    this.entries.set(record.id, { record, cachedAt: now });
    if (this.entries.size > this.options.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  delete(sagaId: string): void {
    this.entries.delete(sagaId);
  }
}
