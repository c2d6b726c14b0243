/**
 * Offers the shop's orders to the orchestrator through its HTTP API, as another service would:
 * `POST /v1/sagas` with the order id as the `Idempotency-Key` (a start that is retried after a
 * lost answer starts nothing twice), then `GET /v1/sagas/:id/result` (a long poll) until the saga
 * is at rest. At most `inFlight` sagas run at once; with `rate`, starts are also spaced to that
 * many per second.
 *
 * A saga that parks (its compensation ran out of retries) is retried through the API
 * (`POST /v1/sagas/:id/retry`), as an operator would, up to `parkedRetries` times; one still
 * parked after that is recorded as parked.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiRequestError,
  ApiUnreachableError,
  type SagaApiClient,
  type SagaView,
} from '../../cli/api-client.js';
import type { Logger } from '../../wire/telemetry/logger.js';
import { outcomeOf, type SagaOutcome, type Tally } from './outcomes.js';
import type { ShopOrder } from './shop.js';

export interface OrderStreamOptions {
  client: SagaApiClient;
  orders: readonly ShopOrder[];
  inFlight: number;
  /** Starts per second; undefined: as fast as `inFlight` allows. */
  rate: number | undefined;
  tally: Tally;
  logger: Logger;
  /** Retries of a parked saga before it is recorded as parked. @default 2 */
  parkedRetries?: number;
  /** A saga still running this long after its start is recorded as unfinished. @default 180 s */
  giveUpAfterMs?: number;
  /** Stops offering and following sagas (Ctrl-C). */
  signal: AbortSignal;
}

/** One long poll waits at most this long before asking again. */
const LONG_POLL_MS = 10_000;
const START_TRIES = 5;

/** Runs the stream; resolves when every order was started and followed to rest (or abandoned). */
export async function runOrderStream(options: OrderStreamOptions): Promise<void> {
  const { orders, inFlight, rate, signal } = options;
  const began = performance.now();
  let next = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      const order = orders[index];
      if (order === undefined || signal.aborted) return;
      if (rate !== undefined) {
        const due = began + (index * 1000) / rate - performance.now();
        if (due > 0) await sleep(due, undefined, { signal }).catch(() => undefined);
        if (signal.aborted) return;
      }
      await runOne(order, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, orders.length) }, worker));
}

async function runOne(order: ShopOrder, options: OrderStreamOptions): Promise<void> {
  const { client, tally, signal, logger } = options;
  const record = (outcome: SagaOutcome) => {
    // A saga abandoned by Ctrl-C is not an outcome; the summary counts what was recorded.
    if (!signal.aborted) tally.record(outcome);
  };
  const which = { n: order.n, orderId: order.input.orderId };
  const blank = {
    ...which,
    reason: undefined,
    failedStep: undefined,
    latencyMs: undefined,
    retries: 0,
    timeouts: 0,
    approval: undefined,
    parkedRetries: 0,
  };

  let saga: SagaView;
  try {
    saga = await start(order, client, signal);
  } catch (error) {
    if (signal.aborted) return;
    logger.warn('could not start a saga', { orderId: order.input.orderId, error });
    record({ ...blank, sagaId: undefined, status: 'not-started', problem: describe(error) });
    return;
  }
  tally.started += 1;

  const giveUpAt = performance.now() + (options.giveUpAfterMs ?? 180_000);
  let parkedRetries = 0;
  let parkedCounted = false;
  const leaveParked = () => {
    if (parkedCounted) tally.parkedNow -= 1;
    parkedCounted = false;
  };
  for (;;) {
    if (signal.aborted) return leaveParked();
    const left = giveUpAt - performance.now();
    if (left <= 0) {
      leaveParked();
      record({
        ...outcomeOf(which, saga, parkedRetries),
        status: 'unfinished',
        problem: `still ${saga.status} in ${saga.state}`,
      });
      return;
    }
    try {
      const result = await client.waitForResult(saga.id, Math.min(LONG_POLL_MS, Math.ceil(left)));
      saga = result.saga;
      if (!result.done) continue;
    } catch (error) {
      if (signal.aborted) return leaveParked();
      logger.warn('waiting for a saga failed; asking again', { sagaId: saga.id, error });
      await sleep(500);
      continue;
    }
    if (saga.status !== 'parked') {
      leaveParked();
      record(outcomeOf(which, saga, parkedRetries));
      return;
    }
    if (!parkedCounted) tally.parkedNow += 1;
    parkedCounted = true;
    if (parkedRetries >= (options.parkedRetries ?? 2)) {
      leaveParked();
      record(outcomeOf(which, saga, parkedRetries));
      return;
    }
    // An operator looks first: give the participant that refused a moment.
    await sleep(1_000);
    parkedRetries += 1;
    logger.warn('saga parked: retrying it as an operator would', {
      sagaId: saga.id,
      state: saga.state,
    });
    await client.action(saga.id, 'retry').catch((error: unknown) => {
      logger.warn('retry of a parked saga refused', { sagaId: saga.id, error });
    });
  }
}

/** POST /v1/sagas, retried on a connection error or a 5xx (the idempotency key makes it safe). */
async function start(order: ShopOrder, client: SagaApiClient, signal: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    try {
      const { body } = await client.startSaga(
        { type: 'order', input: order.input },
        order.input.orderId,
      );
      return body;
    } catch (error) {
      const transient =
        error instanceof ApiUnreachableError ||
        (error instanceof ApiRequestError && error.status >= 500);
      if (!transient || attempt >= START_TRIES || signal.aborted) throw error;
      await sleep(200 * 2 ** attempt);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof ApiRequestError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
