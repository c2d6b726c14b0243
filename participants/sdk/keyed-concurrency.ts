/**
 * Runs the messages of a batch concurrently across keys and in order within a key: a saga's
 * commands (one key, `sagaId`) are handled one after another, different sagas' at once. One
 * await per message would cap a participant at its slowest handler's rate.
 */

/** Thrown when a batch was abandoned part-way because its partition was taken away. */
export class BatchAbandonedError extends Error {
  constructor(readonly unprocessed: number) {
    super(
      `batch abandoned with ${unprocessed} message(s) unprocessed (partition revoked or stopping)`,
    );
    this.name = 'BatchAbandonedError';
  }
}

export interface KeyedRunOptions<T> {
  keyOf(item: T): string;
  /** At most this many items run at once (distinct keys). */
  concurrency: number;
  /** Checked before each item starts; once true, no further item starts. */
  shouldStop(): boolean;
}

/**
 * Runs `work` for every item: items with the same key in their order, up to `concurrency` keys at
 * once. When an item fails, or `shouldStop()` turns true, no new item starts, the ones running
 * finish, and the call rejects (with the first failure, or {@link BatchAbandonedError}).
 */
export async function runKeyedInOrder<T>(
  items: readonly T[],
  work: (item: T) => Promise<void>,
  options: KeyedRunOptions<T>,
): Promise<void> {
  const chains = new Map<string, T[]>();
  for (const item of items) {
    const key = options.keyOf(item);
    const chain = chains.get(key);
    if (chain) chain.push(item);
    else chains.set(key, [item]);
  }
  const queue = [...chains.values()];
  let failure: { error: unknown } | undefined;
  let unprocessed = 0;

  const worker = async () => {
    for (let chain = queue.shift(); chain; chain = queue.shift()) {
      for (let i = 0; i < chain.length; i++) {
        if (failure || options.shouldStop()) {
          unprocessed += chain.length - i;
          break;
        }
        try {
          await work(chain[i] as T);
        } catch (error) {
          failure ??= { error };
          unprocessed += chain.length - i - 1;
          break;
        }
      }
    }
  };

  const workers = Math.max(1, Math.min(options.concurrency, queue.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  if (unprocessed > 0) throw new BatchAbandonedError(unprocessed);
}
