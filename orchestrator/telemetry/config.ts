/**
 * Telemetry settings from the standard OpenTelemetry environment variables (read with
 * OpenTelemetry's own helpers). Tracing is off unless asked for:
 *
 * | variable | effect |
 * | --- | --- |
 * | `OTEL_SDK_DISABLED=true` | no traces and no metrics |
 * | `OTEL_TRACES_EXPORTER` | `otlp` (OTLP over HTTP), `console`, or `none`; unset means `otlp` when an OTLP endpoint is set, `none` otherwise |
 * | `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `…_HEADERS`, `…_TIMEOUT` | read by the OTLP exporter itself |
 * | `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG` | the sampler (default `parentbased_always_on`) |
 * | `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES` | the resource (override the service name given in code) |
 * | `OTEL_BSP_*` | read by the batch span processor itself |
 */
import { diag } from '@opentelemetry/api';
import { getBooleanFromEnv, getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  type Sampler,
} from '@opentelemetry/sdk-trace-base';

export type TracesExporterChoice = 'otlp' | 'console' | 'none';

export interface TelemetryEnvironment {
  /** `OTEL_SDK_DISABLED`: nothing is recorded at all. */
  disabled: boolean;
  tracesExporter: TracesExporterChoice;
  sampler: Sampler;
}

export function telemetryEnvironment(): TelemetryEnvironment {
  return {
    disabled: getBooleanFromEnv('OTEL_SDK_DISABLED'),
    tracesExporter: tracesExporterFromEnv(),
    sampler: samplerFromEnv(),
  };
}

function tracesExporterFromEnv(): TracesExporterChoice {
  const listed = (getStringFromEnv('OTEL_TRACES_EXPORTER') ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (listed.length === 0) {
    const endpoint =
      getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ??
      getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT');
    return endpoint ? 'otlp' : 'none';
  }
  for (const name of listed) {
    if (name === 'otlp' || name === 'console' || name === 'none') return name;
  }
  diag.warn(`OTEL_TRACES_EXPORTER "${listed.join(',')}" names no supported exporter; tracing off`);
  return 'none';
}

function samplerFromEnv(): Sampler {
  const name = getStringFromEnv('OTEL_TRACES_SAMPLER') ?? 'parentbased_always_on';
  const ratio = () => {
    const value = getNumberFromEnv('OTEL_TRACES_SAMPLER_ARG');
    return value === undefined || value < 0 || value > 1 ? 1 : value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    default:
      diag.warn(`OTEL_TRACES_SAMPLER "${name}" is unknown; using parentbased_always_on`);
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}
