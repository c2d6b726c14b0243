/**
 * Joins calls made in the same tick into one batch: the first call schedules a flush on the next
 * microtask, every call until then joins it, and each call settles with its own item's outcome.
 *
 * The store uses it for `create`: starting sagas one by one (the API, a load driver that starts
 * one saga per completed one) costs one script call, one socket write and one read each; the same
 * starts issued from one loop cost one pipeline. A lone call waits only for the microtask queue.
 */

/** One item's outcome. */
export type ItemOutcome<O> = { ok: true; value: O } | { ok: false; error: unknown };

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class SameTickBatch<I, O> {
  private waiting: Waiting<I, O>[] = [];

  /** `run` gets every item of a batch and answers one outcome per item, in their order. */
  constructor(private readonly run: (items: readonly I[]) => Promise<ItemOutcome<O>[]>) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      if (this.waiting.length === 0) queueMicrotask(() => void this.flush());
      this.waiting.push({ item, resolve, reject });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    let outcomes: ItemOutcome<O>[];
    try {
      outcomes = await this.run(batch.map((w) => w.item));
    } catch (error) {
      for (const w of batch) w.reject(error);
      return;
    }
    batch.forEach((w, index) => {
      const outcome = outcomes[index];
      if (!outcome) w.reject(new Error('the batch answered fewer outcomes than it had items'));
      else if (outcome.ok) w.resolve(outcome.value);
      else w.reject(outcome.error);
    });
  }
}
