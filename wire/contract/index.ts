export * from './messages.js';
export * from './topics.js';
export * from './headers.js';
export * from './validate.js';
export * from './json-limits.js';
export * from './lifecycle-event-level.js';
