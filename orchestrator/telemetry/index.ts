/**
 * Telemetry: the logger, the metric and span names, and the OpenTelemetry setup a process calls
 * once (`setupTelemetry`), which gives the runtime its hooks and the HTTP server its `/metrics`.
 */
export * from '../../wire/telemetry/index.js';
export { noRuntimeHooks } from './runtime-hooks.js';
export type { RuntimeHooks, SagaStarting, StepWritten } from './runtime-hooks.js';
export { setupTelemetry, type Telemetry, type TelemetryOptions } from './setup-telemetry.js';
export { telemetryEnvironment, type TelemetryEnvironment } from './config.js';
export { createOtelRuntimeHooks, type OtelRuntimeHooksOptions } from './otel-runtime-hooks.js';
export type { ConsumerLagSource, GaugeSources, KnownState, OldestInState } from './gauges.js';
export {
  consumerLagSource,
  oldestInState,
  orchestratorGaugeSources,
  storeGaugeSources,
} from './store-sources.js';
export { sagaStatesOf, type SagaStateInfo } from './saga-states.js';
