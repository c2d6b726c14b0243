/**
 * The console reads the API's JSON through its own copy of the view types
 * (orchestrator/console/app/types.ts: the browser bundle does not import the server's modules).
 * These checks make the copy follow the API: whatever the API answers must fit the type the
 * console reads it as, so a field the API renames or retypes fails `tsc` (and this file) here.
 */
import { expect } from 'chai';
import type {
  ApiRole,
  ConsoleLinks,
  RetryParkedResult,
  SagaSummaryView,
  SagaView,
} from '../../../orchestrator/api/index.js';
import type {
  BulkRetryAnswer,
  SagaDetail,
  SagaSummary,
  SessionInfo,
} from '../../../orchestrator/console/app/types.js';

/** `true` when every `Answer` the API gives is a `Read` the console can take. */
type Fits<Answer, Read> = [Answer] extends [Read] ? true : false;
/** `true` when the two name the same fields (neither has one the other lacks). */
type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;

const checks = {
  summaryFits: true as Fits<SagaSummaryView, SagaSummary>,
  summarySameFields: true as SameKeys<SagaSummaryView, SagaSummary>,
  sagaFits: true as Fits<SagaView, SagaDetail>,
  bulkRetryFits: true as Fits<RetryParkedResult, BulkRetryAnswer>,
  sessionFits: true as Fits<{ role: ApiRole; links: ConsoleLinks }, SessionInfo>,
} satisfies Record<string, true>;

describe('console: its copy of the API types', () => {
  it('takes every answer the API types allow (checked by tsc)', () => {
    expect(Object.values(checks).every((check) => check)).to.equal(true);
  });
});
