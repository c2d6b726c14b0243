/**
 * Side B of an orchestrator session: the order saga's three participants, written with the SDK
 * (`defineParticipant` / `startParticipant` / `kafkaParticipantTransport`, default options), whose
 * handlers succeed at once and keep no state. Everything else is the SDK's real path: consume,
 * validate, claim in the dedupe ledger, handle, complete, reply in batches.
 *
 * Ledger: the SDK's Redis ledger by default (two Lua calls per command, on the same Redis as the
 * store), because that is what a real participant runs; `memory` swaps in an in-process ledger
 * to show what those calls cost the shared machine.
 */
import { Redis } from 'ioredis';
import { createLogger } from '../../wire/telemetry/logger.js';
import {
  defineParticipant,
  kafkaParticipantTransport,
  startParticipant,
  type CommandLedger,
  type RunningParticipant,
} from '../../participants/sdk/index.js';
import { memoryCommandLedger } from './memory-ledger.js';

export type LedgerKind = 'redis' | 'memory';

export interface ParticipantsSideConfig {
  brokers: string[];
  redisUrl: string;
  topicPrefix: string;
  /** Prefix of the ledger keys (cleaned up with the session). */
  keyPrefix: string;
  ledger: LedgerKind;
}

/** The order saga's participants and their commands; every handler succeeds at once. */
const PARTICIPANTS = {
  inventory: ['ReserveItems', 'ReleaseItems'],
  payment: ['AuthorizePayment', 'VoidAuthorization'],
  shipping: ['ConfirmOrder'],
} as const;

const succeed = async () => undefined;

/** Ledger records outlive the session by little: enough for re-deliveries within a run. */
const LEDGER_TTL_MS = 10 * 60_000;

export interface ParticipantsSide {
  handled(): number;
  stop(): Promise<void>;
}

export async function startParticipantsSide(
  config: ParticipantsSideConfig,
): Promise<ParticipantsSide> {
  const logger = createLogger('participants', { level: 'info' });
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const transport = await kafkaParticipantTransport({
    kafka: { brokers: config.brokers, clientId: 'bench-participants' },
    logger: logger.child('transport'),
  });
  let handled = 0;
  const memoryLedger = config.ledger === 'memory' ? memoryCommandLedger() : undefined;
  const running: RunningParticipant[] = [];
  for (const [name, commands] of Object.entries(PARTICIPANTS)) {
    const definition = defineParticipant({
      name,
      handlers: Object.fromEntries(
        commands.map((command) => [
          command,
          async () => {
            handled += 1;
            return succeed();
          },
        ]),
      ),
    });
    const ledger: CommandLedger | undefined = memoryLedger;
    running.push(
      await startParticipant(definition, {
        transport,
        topicPrefix: config.topicPrefix,
        logger: logger.child(name),
        ledgerTtlMs: LEDGER_TTL_MS,
        ...(ledger
          ? { ledger }
          : { redis, ledgerKeyPrefix: `${config.keyPrefix}-ledger:{${name}}` }),
      }),
    );
  }
  return {
    handled: () => handled,
    async stop() {
      await Promise.all(running.map((participant) => participant.stop()));
      await transport.close();
      memoryLedger?.close();
      redis.disconnect();
    },
  };
}
