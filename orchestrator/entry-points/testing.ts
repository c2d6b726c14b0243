/**
 * `saga-orchestrator/testing`: run a definition without infrastructure — the real engine with a
 * fake clock (`simulateSaga`), and paths generated from the statechart's graph (`stepPaths`), for
 * a saga author's own tests (see sagas/README.md, "Testing a saga").
 */
export * from '../engine/testing/index.js';
