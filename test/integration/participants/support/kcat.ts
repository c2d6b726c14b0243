/** Runs Debian's `kcat` (librdkafka's command-line client) as a participant would. */
import { spawn } from 'node:child_process';

export const KCAT = process.env.KCAT_BIN ?? '/usr/bin/kcat';

/** Runs kcat with `args`, feeding `input` on stdin; resolves with stdout, rejects on failure. */
export function kcat(args: readonly string[], input?: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // Node kills a child that outlives `timeout` with `killSignal`.
    const child = spawn(KCAT, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(stdout);
      else if (signal === 'SIGKILL') {
        reject(new Error(`kcat ${args.join(' ')} timed out after ${timeoutMs} ms: ${stderr}`));
      } else reject(new Error(`kcat exited with ${code ?? signal}: ${stderr}`));
    });
    child.stdin.end(input ?? '');
  });
}

/** kcat's `-J` envelope of one consumed message. */
export interface KcatEnvelope {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
  /** Flat list: name, value, name, value, … */
  headers?: string[];
}

export function envelopeHeaders(envelope: KcatEnvelope): Record<string, string> {
  const out: Record<string, string> = {};
  const flat = envelope.headers ?? [];
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i] as string] = flat[i + 1] as string;
  return out;
}
