/**
 * Command ids are derived, never random: `<sagaId>.<step>.<attempt>` for a step's action and
 * `<sagaId>.<step>.compensate.<attempt>` for its compensation. The same attempt always gets the
 * same id (a re-send after a crash is recognised by the participant); a retry is a new attempt and
 * so a new command. Step names cannot contain dots or be `compensate`, so ids never collide.
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
