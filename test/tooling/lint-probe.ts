/**
 * Lints a probe file with the project's own ESLint configuration. The probe must be a real file
 * inside the TypeScript project, so it is written into `folder` and removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';

const root = path.resolve(import.meta.dirname, '..', '..');

export async function lintProbe(folder: string, source: string): Promise<Linter.LintMessage[]> {
  const dir = path.join(root, folder);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `lint-probe-${randomBytes(4).toString('hex')}.ts`);
  await writeFile(file, source);
  try {
    const [result] = await new ESLint({ cwd: root }).lintFiles([file]);
    return result?.messages ?? [];
  } finally {
    await rm(file, { force: true });
  }
}
