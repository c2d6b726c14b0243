/** What the definition check reports: one finding per problem, with the rule that found it. */

/** `error`: do not ship it (the CLI exits non-zero); `warning`: look at it. */
export type FindingSeverity = 'error' | 'warning';

export type DefinitionRule =
  | 'step-deadline'
  | 'step-failure-path'
  | 'step-attempts'
  | 'step-compensation'
  | 'unreachable-state'
  | 'done-handled'
  | 'timer-named'
  | 'delay-defined'
  | 'guard-defined'
  | 'action-defined'
  | 'wait-without-deadline';

export interface DefinitionFinding {
  rule: DefinitionRule;
  severity: FindingSeverity;
  /** The state node id the finding is about, e.g. `order.reserveInventory.attempting`. */
  path: string;
  /** The step, when the finding is about one. */
  step?: string;
  message: string;
}

/** Whether any finding is an error (a definition with one should not run in production). */
export function hasErrors(findings: readonly DefinitionFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
