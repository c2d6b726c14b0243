/**
 * `checkDefinition()`: what an architect wants caught before a saga definition reaches
 * production, as data. Pure (it reads the statechart, runs nothing); the CLI's
 * `saga definitions check <dir>` prints the same findings.
 *
 * @example
 * ```ts
 * const findings = checkDefinition(refundSaga);
 * if (hasErrors(findings)) throw new Error(findings.map((f) => f.message).join('\n'));
 * ```
 */
import type { SagaDefinition } from '../types.js';
import type { DefinitionFinding } from './findings.js';
import {
  doneFindings,
  implementationFindings,
  timerFindings,
  unreachableFindings,
  waitFindings,
} from './machine-rules.js';
import { stepFindings } from './step-rules.js';

/**
 * The findings of every rule for one definition: its steps first (document order), then the
 * statechart's. An empty list means it passes.
 */
export function checkDefinition(definition: Pick<SagaDefinition, 'machine'>): DefinitionFinding[] {
  const machine = definition.machine;
  return [
    ...stepFindings(machine),
    ...unreachableFindings(machine),
    ...doneFindings(machine),
    ...timerFindings(machine),
    ...implementationFindings(machine),
    ...waitFindings(machine),
  ];
}
