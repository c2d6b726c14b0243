/** Test helpers for saga authors: run a definition without infrastructure. */
export * from './simulator.js';
export * from './step-paths.js';
