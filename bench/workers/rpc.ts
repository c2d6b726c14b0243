/**
 * The bench's driver talks to its worker processes over Node's IPC channel (`child_process.fork`):
 * calls with an id and a reply per call, plus events the worker sends on its own (progress).
 * Workers are processes, not threads, so `process.cpuUsage()`, RSS and a CPU profile taken in a
 * worker are that worker's alone.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface CallMessage {
  kind: 'call';
  id: number;
  method: string;
  params: unknown;
}

export type WorkerMessage =
  | { kind: 'result'; id: number; ok: true; value: unknown }
  | { kind: 'result'; id: number; ok: false; error: string }
  | { kind: 'event'; name: string; data: unknown };

/** The driver's handle on one worker process. */
export class WorkerHandle {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (value: unknown) => void; reject: (error: Error) => void }
  >();
  private readonly listeners = new Map<string, (data: unknown) => void>();
  private exited: Promise<number | null>;

  private constructor(
    readonly role: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (raw: WorkerMessage) => {
      if (raw.kind === 'event') {
        this.listeners.get(raw.name)?.(raw.data);
        return;
      }
      const waiting = this.pending.get(raw.id);
      if (!waiting) return;
      this.pending.delete(raw.id);
      if (raw.ok) waiting.resolve(raw.value);
      else waiting.reject(new Error(`${role}: ${raw.error}`));
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        for (const waiting of this.pending.values()) {
          waiting.reject(new Error(`worker ${role} exited (code ${code}) during a call`));
        }
        this.pending.clear();
        resolve(code);
      });
    });
  }

  /**
   * Forks the worker entry (`worker-main.js`, transpiled; a `.ts` entry runs through tsx). The
   * worker's stdout and stderr (its JSON-lines logs) go to `logFile`, so they never tear the
   * progress bar.
   */
  static spawn(
    entry: string,
    role: string,
    logFile: string,
    execArgv: readonly string[] = [],
  ): WorkerHandle {
    const child = fork(entry, [role], {
      execArgv: [...(entry.endsWith('.ts') ? ['--import', 'tsx'] : []), ...execArgv],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    return new WorkerHandle(role, child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call<T>(method: string, params: unknown = {}): Promise<T> {
    const id = this.nextId++;
    const message: CallMessage = { kind: 'call', id, method, params };
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child.send(message, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  on(name: string, listener: (data: unknown) => void): void {
    this.listeners.set(name, listener);
  }

  /** Asks the worker to shut down; kills it if it has not exited within `graceMs`. */
  async close(graceMs = 30_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await this.call('shutdown').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

/** The worker's side: serves calls with `methods`, sends events. */
export function serveCalls(methods: Record<string, (params: never) => unknown>): {
  emit: (name: string, data: unknown) => void;
} {
  const send = (message: WorkerMessage) => {
    if (process.connected) process.send?.(message);
  };
  process.on('message', (raw: CallMessage) => {
    if (raw.kind !== 'call') return;
    const method = methods[raw.method];
    if (!method) {
      send({ kind: 'result', id: raw.id, ok: false, error: `no method ${raw.method}` });
      return;
    }
    Promise.resolve()
      .then(() => method(raw.params as never))
      .then(
        (value) => send({ kind: 'result', id: raw.id, ok: true, value: value ?? null }),
        (error: unknown) =>
          send({
            kind: 'result',
            id: raw.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  return { emit: (name, data) => send({ kind: 'event', name, data }) };
}
