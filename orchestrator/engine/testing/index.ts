/** Test helpers for saga authors: run a definition without infrastructure, and check it. */
export * from './simulator.js';
export * from './step-paths.js';
export * from '../lint/index.js';
export * from './failure-paths.js';
