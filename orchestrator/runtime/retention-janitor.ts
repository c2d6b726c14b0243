/**
 * Deletes ended sagas once their retention has passed, so Redis memory stays bounded. Any
 * instance may run it (purging is idempotent); it works through a bounded number per shard per
 * round and goes again at once while there is more.
 */
import type { SagaStore } from '../store/index.js';
import type { Logger } from '../../wire/telemetry/index.js';

export interface RetentionJanitorOptions {
  store: Pick<SagaStore, 'purgeExpired'>;
  now: () => number;
  logger: Logger;
  /** @default 60_000 */
  intervalMs?: number;
  /** @default 200 */
  limitPerShard?: number;
}

export class RetentionJanitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly options: RetentionJanitorOptions) {}

  start(): void {
    this.running = true;
    this.schedule(this.options.intervalMs ?? 60_000);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
  }

  /** One round; returns how many sagas were deleted. */
  async purgeOnce(): Promise<number> {
    const { store, now, limitPerShard = 200 } = this.options;
    const purged = await store.purgeExpired(now(), limitPerShard);
    if (purged.length > 0) this.options.logger.info('purged ended sagas', { count: purged.length });
    return purged.length;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.purgeOnce().then(
        (count) => this.schedule(count > 0 ? 0 : (this.options.intervalMs ?? 60_000)),
        (error: unknown) => {
          this.options.logger.warn('retention purge failed; will retry', { error });
          this.schedule(this.options.intervalMs ?? 60_000);
        },
      );
    }, delayMs);
    this.timer.unref();
  }
}
