/**
 * The order saga's signals: the external events an operator (or a back office) sends while an
 * order waits for approval. The engine refuses one whose fields do not match (the API's 400
 * `INVALID_EVENT`); the API and the console publish them.
 */
import type { SignalContracts } from '../../orchestrator/engine/vocabulary/index.js';

const nonEmpty = (description: string) =>
  ({ type: 'string', minLength: 1, maxLength: 200, description }) as const;

export const orderSignals = {
  'order.approve': {
    description: 'Approve an order waiting for approval (above the threshold): it is confirmed.',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { approvedBy: nonEmpty('Who approved it, for the history.') },
    },
  },
  'order.reject': {
    description:
      'Reject an order waiting for approval: it is undone and ends compensated (APPROVAL_REJECTED).',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: { reason: nonEmpty('Why, kept as the failure message.') },
    },
  },
} as const satisfies SignalContracts;
