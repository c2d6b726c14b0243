/**
 * An example participant as a child process (`participants/main.ts`, what `npm run participant`
 * runs), for tests that kill it for real.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../../..');

export interface ParticipantProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Resolves with the ready line once the process joined its group. */
  readonly ready: Promise<{ participant: string; topic: string; groupId: string; pid: number }>;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  stderr(): string;
}

export function spawnParticipant(name: string, env: Record<string, string>): ParticipantProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'participants/main.ts', name], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const ready = new Promise<{ participant: string; topic: string; groupId: string; pid: number }>(
    (resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString('utf8');
        const line = stdout.split('\n').find((l) => l.includes('"event":"ready"'));
        if (line)
          resolve(
            JSON.parse(line) as {
              participant: string;
              topic: string;
              groupId: string;
              pid: number;
            },
          );
      });
      void exited.then((code) =>
        reject(new Error(`participant ${name} exited (${code}) before it was ready: ${stderr}`)),
      );
    },
  );
  return { child, ready, exited, stderr: () => stderr };
}

/**
 * A list for the processes a test spawns: after each test, every one still running is killed
 * (SIGKILL) and awaited, so no participant outlives the test that started it.
 */
export function useParticipantProcesses(): ParticipantProcess[] {
  const processes: ParticipantProcess[] = [];
  afterEach(async () => {
    for (const p of processes.splice(0)) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await p.exited;
    }
  });
  return processes;
}
