/** Topic names of the wire contract, all under one prefix (`SAGA_TOPIC_PREFIX`, default `saga`). */

export const DEFAULT_TOPIC_PREFIX = 'saga';

export interface TopicNames {
  readonly prefix: string;
  /** `<prefix>.<participant>.commands`: commands to one participant. */
  commands(participant: string): string;
  /** `<prefix>.replies`: every participant's replies to the orchestrator. */
  readonly replies: string;
  /** `<prefix>.requests`: start requests from other services. */
  readonly requests: string;
  /** `<prefix>.events`: saga lifecycle events. */
  readonly events: string;
  /** `<prefix>.dlq`: messages that could not be processed, the reason in headers. */
  readonly dlq: string;
}

const TOPIC_PART = /^[A-Za-z0-9._-]+$/;

export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX): TopicNames {
  if (!TOPIC_PART.test(prefix)) {
    throw new Error(`topic prefix "${prefix}" may only hold letters, digits, '.', '_' and '-'`);
  }
  return {
    prefix,
    commands(participant) {
      if (!TOPIC_PART.test(participant)) {
        throw new Error(`participant name "${participant}" is not usable in a topic name`);
      }
      return `${prefix}.${participant}.commands`;
    },
    replies: `${prefix}.replies`,
    requests: `${prefix}.requests`,
    events: `${prefix}.events`,
    dlq: `${prefix}.dlq`,
  };
}
