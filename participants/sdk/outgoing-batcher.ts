/**
 * Gathers the replies and dead letters that concurrent handlers produce into batches for one
 * `publish` each (kafkajs does not batch by itself): a batch goes when it is full, or `lingerMs`
 * after its first message. With `lingerMs` 0 (the SDK's default) it goes at the end of the current
 * turn, with whatever was sent in it, and no timer: the publisher merges calls that arrive while
 * one is on the wire anyway, so waiting longer only delayed each reply at low load. `send`
 * resolves once its messages are acknowledged.
 */
import type { MessagePublisher, OutgoingMessage } from '../../wire/transport/index.js';
import type { Clock } from './clock.js';

export interface OutgoingBatcherOptions {
  publisher: MessagePublisher;
  clock: Clock;
  /** Publish as soon as this many messages wait. */
  maxBatchSize: number;
  /** Publish this long after the first waiting message at the latest. */
  lingerMs: number;
}

interface Waiting {
  messages: readonly OutgoingMessage[];
  resolve(): void;
  reject(error: unknown): void;
}

export interface OutgoingBatcher {
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  /** Publishes whatever waits now, and resolves when every batch in flight is done. */
  flush(): Promise<void>;
}

export function outgoingBatcher(options: OutgoingBatcherOptions): OutgoingBatcher {
  let waiting: Waiting[] = [];
  let waitingCount = 0;
  let lingerArmed = false;
  const inFlight = new Set<Promise<void>>();

  const publishWaiting = (): Promise<void> => {
    const batch = waiting;
    waiting = [];
    waitingCount = 0;
    if (batch.length === 0) return Promise.resolve();
    const published = options.publisher
      .publish(batch.flatMap((w) => w.messages))
      .then(
        () => batch.forEach((w) => w.resolve()),
        (error: unknown) => batch.forEach((w) => w.reject(error)),
      )
      .finally(() => inFlight.delete(published));
    inFlight.add(published);
    return published;
  };

  const lingerOver = () => {
    lingerArmed = false;
    void publishWaiting();
  };
  const armLinger = () => {
    if (lingerArmed) return;
    lingerArmed = true;
    if (options.lingerMs <= 0) queueMicrotask(lingerOver);
    else void options.clock.sleep(options.lingerMs).then(lingerOver);
  };

  return {
    send(messages) {
      if (messages.length === 0) return Promise.resolve();
      const sent = new Promise<void>((resolve, reject) => {
        waiting.push({ messages, resolve, reject });
      });
      waitingCount += messages.length;
      if (waitingCount >= options.maxBatchSize) void publishWaiting();
      else armLinger();
      return sent;
    },
    async flush() {
      await publishWaiting();
      await Promise.allSettled([...inFlight]);
    },
  };
}
