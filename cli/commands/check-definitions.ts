/**
 * `saga definitions check <dir>`: the definition lint on a folder, offline. The folder is loaded
 * the way the orchestrator loads `SAGA_DEFINITIONS_DIR` (every `<name>/index.(js|ts)`
 * default-exporting a definition), each definition is checked, and the findings are printed per
 * definition; any error-level finding, or a folder that does not load, exits 6.
 */
import path from 'node:path';
import {
  checkDefinition,
  hasErrors,
  type DefinitionFinding,
} from '../../orchestrator/engine/lint/index.js';
import { loadDefinitionsFromDir } from '../../orchestrator/runtime/load-definitions.js';
import { printJson, type CliContext } from '../context.js';
import { CliExit, EXIT, type ExitCode } from '../exit-codes.js';

interface CheckedDefinition {
  type: string;
  version: string;
  findings: DefinitionFinding[];
}

function count(findings: DefinitionFinding[], severity: DefinitionFinding['severity']): number {
  return findings.filter((f) => f.severity === severity).length;
}

function render(checked: CheckedDefinition): string {
  const { findings } = checked;
  const head = `${checked.type} v${checked.version}: ${
    findings.length === 0
      ? 'passes'
      : `${count(findings, 'error')} error(s), ${count(findings, 'warning')} warning(s)`
  }`;
  const lines = findings.map(
    (f) => `  ${f.severity.padEnd(7)} ${f.rule.padEnd(21)} ${f.path}\n          ${f.message}`,
  );
  return [head, ...lines].join('\n');
}

export async function checkDefinitionsCommand(context: CliContext, dir: string): Promise<ExitCode> {
  const folder = path.resolve(dir);
  let definitions;
  try {
    definitions = await loadDefinitionsFromDir(folder);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliExit(EXIT.CHECK_FAILED, `cannot load the definitions of ${folder}: ${message}`);
  }
  const checked: CheckedDefinition[] = definitions.map((definition) => ({
    type: definition.type,
    version: definition.version,
    findings: checkDefinition(definition),
  }));
  if (context.json) printJson(context, { dir: folder, definitions: checked });
  else if (checked.length === 0) context.out(`no saga definitions in ${folder}`);
  else context.out(checked.map(render).join('\n\n'));
  return checked.some((c) => hasErrors(c.findings)) ? EXIT.CHECK_FAILED : EXIT.OK;
}
