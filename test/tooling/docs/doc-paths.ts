/**
 * The repository paths the docs name: markdown link targets (relative to the doc) and inline code
 * spans that start with a top-level folder of the repository (relative to the root). A doc that
 * names a file which was moved or deleted sends its reader nowhere; `doc-paths.test.ts` fails on it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A path a doc names, and where. */
export interface NamedPath {
  readonly doc: string;
  readonly line: number;
  /** As written in the doc. */
  readonly written: string;
  /** Relative to the repository root. */
  readonly resolved: string;
}

/** Folders whose markdown is not kept in step with the code: dependencies, build output, and
 * benchmark results, which record the tree as it was when they were measured. */
const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.infra', '.git', 'coverage']);
const SKIPPED_DOC_PREFIXES = ['bench/results/'];

/** Paths that exist only after a command ran (build output, local infrastructure, generated
 * files that are ignored by git): a doc may name them although a clean checkout lacks them. */
const PRODUCED_PREFIXES = ['dist/', '.infra/'];

/** Every tracked-looking markdown file under `root`, relative to it. */
export function markdownFiles(root: string, dir = ''): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (SKIPPED_DIRS.has(entry.name)) continue;
      if (SKIPPED_DOC_PREFIXES.some((prefix) => `${relative}/`.startsWith(prefix))) continue;
      found.push(...markdownFiles(root, relative));
    } else if (entry.name.endsWith('.md')) {
      found.push(relative);
    }
  }
  return found.sort();
}

/** The top-level entries of the repository: an inline code span is taken for a path only when it
 * starts with one of them, so `a/b` in prose ("inventory/payment") is not. */
export function topLevelNames(root: string): Set<string> {
  return new Set(readdirSync(root).filter((name) => !SKIPPED_DIRS.has(name)));
}

// A span holding a placeholder, a glob or an ellipsis names a family of paths, not one path.
const NOT_ONE_PATH = /[<>*…{}\s$|]/;

/** The paths one doc names, with the line they are on. Fenced code blocks are left out: they hold
 * commands and output, whose path-like words are not links. */
export function pathsNamedIn(doc: string, text: string, topLevel: Set<string>): NamedPath[] {
  const named: NamedPath[] = [];
  let fenced = false;
  text.split('\n').forEach((lineText, index) => {
    if (/^\s*(```|~~~)/.test(lineText)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    const line = index + 1;
    for (const match of lineText.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = (match[1] ?? '').split('#')[0] ?? '';
      if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target));
      named.push({ doc, line, written: target, resolved });
    }
    for (const match of lineText.matchAll(/`([^`]+)`/g)) {
      // The text of a link (`[`x`](y)`) names what the link target already says.
      const end = (match.index ?? 0) + match[0].length;
      if (lineText[(match.index ?? 0) - 1] === '[' && lineText.startsWith('](', end)) continue;
      const span = (match[1] ?? '').replace(/^\.\//, '').replace(/[:,.]$/, '');
      if (NOT_ONE_PATH.test(span) || !span.includes('/')) continue;
      const first = span.split('/')[0] ?? '';
      if (!topLevel.has(first)) continue;
      named.push({ doc, line, written: span, resolved: path.posix.normalize(span) });
    }
  });
  return named;
}

/** Whether a named path exists in the checkout (or is one a command produces). */
export function pathExists(root: string, resolved: string): boolean {
  if (PRODUCED_PREFIXES.some((prefix) => `${resolved}/`.startsWith(prefix))) return true;
  const absolute = path.join(root, resolved);
  return existsSync(absolute) && (statSync(absolute).isFile() || statSync(absolute).isDirectory());
}

/** Every path the docs under `root` name that does not exist. */
export function missingDocPaths(root: string): NamedPath[] {
  const topLevel = topLevelNames(root);
  return markdownFiles(root)
    .flatMap((doc) => pathsNamedIn(doc, readFileSync(path.join(root, doc), 'utf8'), topLevel))
    .filter((named) => !pathExists(root, named.resolved));
}
