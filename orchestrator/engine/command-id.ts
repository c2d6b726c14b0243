/**
 * Command ids are derived, never random: `<sagaId>.<step>.<attempt>` for a step's action and
 * `<sagaId>.<step>.compensate.<attempt>` for its compensation. The same attempt always gets the
 * same id (a re-send after a crash is recognised by the participant). An attempt after a failure
 * reply is a new command with its own id; an attempt after a deadline re-sends the unanswered
 * command under that command's id (`attempt` is then the earlier attempt's number, see
 * `beginAttempt`), so a saga whose record Redis reverted asks the same command again and the
 * participant answers from its ledger instead of acting twice. Step names cannot contain dots or
 * be `compensate`, so ids never collide.
 */
export function commandIdFor(
  sagaId: string,
  step: string,
  kind: 'action' | 'compensation',
  attempt: number,
): string {
  return kind === 'action'
    ? `${sagaId}.${step}.${attempt}`
    : `${sagaId}.${step}.compensate.${attempt}`;
}
