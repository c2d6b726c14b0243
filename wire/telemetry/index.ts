/**
 * The telemetry both sides share: the logger (JSON lines, namespaced per module), the one module
 * of metric, attribute and span names (the dashboards are built from it), and the helpers that
 * turn a name into an OpenTelemetry instrument. The OpenTelemetry setup of a process is not here:
 * the orchestrator's is orchestrator/telemetry, a participant's is its own.
 */
export * from './logger.js';
export * from './metric-names.js';
export * from './instruments.js';
