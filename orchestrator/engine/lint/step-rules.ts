/**
 * Rules about the steps of a saga (the states `kit.step()` builds, found by their `meta.saga`):
 * each has a deadline, a way out when it fails, at least one attempt, and a compensation or an
 * explicit mark that it needs none.
 */
import type { AnyStateMachine, AnyStateNode } from 'xstate';
import { sagaStepsOf, type SagaStepInfo } from '../vocabulary/introspect.js';
import { stepEventTypes } from '../vocabulary/names.js';
import type { DefinitionFinding } from './findings.js';
import { isWithin, transitionsOf } from './statechart-walk.js';

function deadlineFindings(info: SagaStepInfo, attempting: AnyStateNode): DefinitionFinding[] {
  const base = { rule: 'step-deadline', severity: 'error', step: info.step } as const;
  const findings: DefinitionFinding[] = [];
  if (!(info.timeoutMs > 0)) {
    findings.push({
      ...base,
      path: info.stateId,
      message: `step "${info.step}" has no usable deadline (timeoutMs ${info.timeoutMs}); a lost reply would make the saga wait forever`,
    });
  }
  if (attempting.after.length === 0) {
    findings.push({
      ...base,
      path: attempting.id,
      message: `step "${info.step}" waits for its reply with no deadline (no "after" on its attempting state)`,
    });
  }
  return findings;
}

/** The step's failure: an unguarded transition on `event` from `attempting` that leaves the step. */
function failureExit(step: AnyStateNode, attempting: AnyStateNode, event: string) {
  return transitionsOf(attempting).find(
    (t) =>
      t.eventType === event &&
      t.guard === undefined &&
      t.target.length > 0 &&
      t.target.every((target) => !isWithin(target, step)),
  );
}

function failurePathFindings(
  info: SagaStepInfo,
  step: AnyStateNode,
  attempting: AnyStateNode,
): DefinitionFinding[] {
  const events = stepEventTypes(info.step);
  const missing = [events.failed, events.timedOut].filter(
    (event) => !failureExit(step, attempting, event),
  );
  if (missing.length === 0) return [];
  return [
    {
      rule: 'step-failure-path',
      severity: 'error',
      path: attempting.id,
      step: info.step,
      message: `step "${info.step}" has no way out when it fails (${missing.join(', ')} never leave the step); give it an onFailure target`,
    },
  ];
}

function attemptFindings(info: SagaStepInfo): DefinitionFinding[] {
  if (Number.isInteger(info.maxAttempts) && info.maxAttempts >= 1) return [];
  return [
    {
      rule: 'step-attempts',
      severity: 'error',
      path: info.stateId,
      step: info.step,
      message: `step "${info.step}" has retry.maxAttempts ${info.maxAttempts}; it must be a whole number ≥ 1 (1 = no retry)`,
    },
  ];
}

function compensationFindings(info: SagaStepInfo): DefinitionFinding[] {
  const base = {
    rule: 'step-compensation',
    severity: 'error',
    path: info.stateId,
    step: info.step,
  } as const;
  const reason = info.noCompensation?.reason.trim();
  if (info.compensation && info.noCompensation) {
    return [
      {
        ...base,
        message: `step "${info.step}" has a compensation and is marked noCompensation; keep one`,
      },
    ];
  }
  if (info.compensation) return [];
  if (info.noCompensation && reason) return [];
  return [
    {
      ...base,
      message: info.noCompensation
        ? `step "${info.step}" is marked noCompensation without a reason; say why it needs no undo`
        : `step "${info.step}" (${info.participant}.${info.command}) has no compensation: add one, or mark it noCompensation: { reason } when it needs none (its outcome can be unknown after a deadline, and nothing would undo it)`,
    },
  ];
}

/** Findings about every step of the machine, in document order. */
export function stepFindings(machine: AnyStateMachine): DefinitionFinding[] {
  return sagaStepsOf(machine).flatMap((info) => {
    const step = machine.getStateNodeById(info.stateId);
    const attempting = step.states.attempting;
    if (!attempting) {
      return [
        {
          rule: 'step-deadline',
          severity: 'error',
          path: info.stateId,
          step: info.step,
          message: `step "${info.step}" has no attempting state: build steps with kit.step() and spread it whole`,
        },
      ];
    }
    return [
      ...deadlineFindings(info, attempting),
      ...failurePathFindings(info, step, attempting),
      ...attemptFindings(info),
      ...compensationFindings(info),
    ];
  });
}
