/**
 * The orchestrator service as a real child process (`orchestrator/main.ts`, what `npm start`
 * runs), for tests that kill it for real. The child is `node --import tsx orchestrator/main.ts`
 * itself, not `npx` in front of it: a signal must reach the orchestrator, not a wrapper that would
 * leave it running as an orphan.
 *
 * @example
 * const orchestrator = spawnOrchestrator({ SAGA_TOPIC_PREFIX: prefix, HTTP_PORT: String(await freePort()) });
 * await orchestrator.ready;
 * orchestrator.kill('SIGKILL');
 * expect(await orchestrator.exited).to.deep.equal({ code: null, signal: 'SIGKILL' });
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');

/** The line the orchestrator prints on stdout once it consumes. */
export interface ReadyLine {
  event: 'ready';
  instance: string;
  httpPort: number;
  sagaTypes: string[];
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface OrchestratorProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly pid: number;
  /** Resolves with the ready line; rejects when the process exits before it. */
  readonly ready: Promise<ReadyLine>;
  /** Resolves when the process has exited. */
  readonly exited: Promise<Exit>;
  /** Whether the process has exited. */
  hasExited(): boolean;
  /** Throws (with the end of its log) when the process has exited: a wait need not go on. */
  assertRunning(): void;
  /** Sends `signal` (once the process has exited, nothing). */
  kill(signal: NodeJS.Signals): void;
  /** What the process wrote to stderr so far (its logs). */
  stderr(): string;
}

/** Store shards of the orchestrator processes (SAGA_STORE_SHARDS), for a test's own reader. */
export const STORE_SHARDS = 8;

/** The orchestrator process's environment: this file's prefix, a free port, fast group joins. */
export function orchestratorEnv(prefix: string, httpPort: number): Record<string, string> {
  return {
    SAGA_TOPIC_PREFIX: prefix,
    REDIS_KEY_PREFIX: prefix,
    SAGA_STORE_SHARDS: String(STORE_SHARDS),
    SAGA_TOPIC_PARTITIONS: '4',
    HTTP_PORT: String(httpPort),
    LOG_LEVEL: 'warn',
    // A killed member leaves the group when its session expires: the default, 6 s (the broker's
    // minimum), is kept; a quicker heartbeat and fetch make the survivors' rejoin quicker still.
    KAFKA_HEARTBEAT_INTERVAL: '500ms',
    KAFKA_MAX_WAIT: '100ms',
  };
}

/** How `npm start` runs the orchestrator: its TypeScript sources through tsx. */
export const FROM_SOURCE = ['--import', 'tsx', 'orchestrator/main.ts'];

/**
 * Starts `orchestrator/main.ts` with the test's environment on top of this one (KAFKA_BROKERS and
 * REDIS_URL come from it). `nodeArgs` runs something else, e.g. a build's `<dist>/orchestrator/
 * main.js` with plain node.
 */
export function spawnOrchestrator(
  env: Record<string, string>,
  nodeArgs: string[] = FROM_SOURCE,
): OrchestratorProcess {
  return spawnService('orchestrator', env, nodeArgs);
}

/**
 * Starts one example participant as its own process (`participants/main.ts <name>`, what `npm run
 * participant` runs), with `env` on top of this one. It prints the same kind of ready line.
 */
export function spawnParticipant(
  name: 'inventory' | 'payment' | 'shipping',
  env: Record<string, string>,
): OrchestratorProcess {
  return spawnService(name, env, ['--import', 'tsx', 'participants/main.ts', name]);
}

function spawnService(
  label: string,
  env: Record<string, string>,
  nodeArgs: string[],
): OrchestratorProcess {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return superviseService(label, child);
}

/**
 * Watches a service's child process (e.g. `podman run` in the foreground, whose output is the
 * container's): its ready line on stdout, its logs on stderr, its exit.
 */
export function superviseService(
  label: string,
  child: ChildProcessWithoutNullStreams,
): OrchestratorProcess {
  if (child.pid === undefined) throw new Error(`the ${label} process did not start`);
  let stdout = '';
  let stderr = '';
  let exitedYet = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  const exited = new Promise<Exit>((resolve) =>
    child.on('exit', (code, signal) => {
      exitedYet = true;
      resolve({ code, signal });
    }),
  );
  const ready = new Promise<ReadyLine>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const line = stdout.split('\n').find((l) => l.includes('"event":"ready"'));
      if (line) resolve(JSON.parse(line) as ReadyLine);
    });
    void exited.then(({ code, signal }) =>
      reject(
        new Error(
          `the ${label} exited (code ${code}, signal ${signal}) before it was ready:\n${stderr.slice(-3000)}`,
        ),
      ),
    );
  });
  // A test that kills the process before it is ready does not wait for this promise.
  ready.catch(() => undefined);
  return {
    child,
    pid: child.pid,
    ready,
    exited,
    hasExited: () => exitedYet,
    assertRunning() {
      if (exitedYet) {
        throw new Error(`the ${label} process exited unexpectedly:\n${stderr.slice(-3000)}`);
      }
    },
    kill(signal) {
      if (!exitedYet) child.kill(signal);
    },
    stderr: () => stderr,
  };
}
