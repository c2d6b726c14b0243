/**
 * The orchestrator service assembled in one place (clients, telemetry, runtime, HTTP API, gauges,
 * start and stop order): `orchestrator/main.ts`, the tests, the demo and the benchmark all use it.
 */
export {
  createOrchestratorService,
  type OrchestratorService,
  type OrchestratorServiceApiOptions,
  type OrchestratorServiceOptions,
} from './orchestrator-service.js';
export { bothHooks } from './both-hooks.js';
