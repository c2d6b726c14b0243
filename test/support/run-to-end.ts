/** Collecting a child process's whole output until it exits, for tests of command-line programs. */
import type { ChildProcess } from 'node:child_process';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Resolves with the exit code and everything the child wrote once it has closed its streams;
 * `stdin`, when the child has a piped stdin, is written and the stream closed.
 */
export function runToEnd(child: ChildProcess, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin?.end(stdin);
  });
}
