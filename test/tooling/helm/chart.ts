/**
 * Test helpers for the Helm chart: a real `helm` binary (built by scripts/install-helm.sh),
 * rendering with `helm template`, parsing the output strictly, validating every object against the
 * Kubernetes schemas, and resolving a container's environment the way the kubelet would.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { IContainer, IEnvVar } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const CHART_DIR = path.join(REPO_ROOT, 'helm', 'saga-orchestrator');
export const PRODUCTION_VALUES = path.join(CHART_DIR, 'ci', 'production-values.yaml');
export const MINIMAL_VALUES = path.join(CHART_DIR, 'ci', 'minimal-values.yaml');
/** The Prometheus Operator's API, as `--api-versions` announces it to `helm template`. */
export const MONITORING_API = 'monitoring.coreos.com/v1';

/** Time for a first build of helm from the Go module proxy on a cold cache. */
export const HELM_BUILD_TIMEOUT_MS = 20 * 60_000;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

let helmPath: string | undefined;

/**
 * The helm binary: built (or found in its cache) by scripts/install-helm.sh. Throws with the
 * script's output when it cannot be had; the chart tests need the real thing.
 */
export function helmBinary(): string {
  if (helmPath) return helmPath;
  const result = spawnSync('bash', [path.join(REPO_ROOT, 'scripts', 'install-helm.sh')], {
    encoding: 'utf8',
    timeout: HELM_BUILD_TIMEOUT_MS,
  });
  if (result.status !== 0) {
    throw new Error(
      `scripts/install-helm.sh could not provide helm (exit ${result.status}):\n${result.stderr}`,
    );
  }
  helmPath = result.stdout.trim().split('\n').at(-1);
  if (!helmPath) throw new Error('scripts/install-helm.sh printed no path');
  return helmPath;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs helm; never throws for a non-zero exit (tests look at the result). */
export function runHelm(args: readonly string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  chartDir?: string;
  valuesFiles?: readonly string[];
  /** `--set` assignments, e.g. `autoscaling.enabled=true`. */
  set?: readonly string[];
  apiVersions?: readonly string[];
  releaseName?: string;
  namespace?: string;
}

export function templateArgs(options: RenderOptions = {}): string[] {
  return [
    'template',
    options.releaseName ?? 'saga',
    options.chartDir ?? CHART_DIR,
    '--namespace',
    options.namespace ?? 'sagas',
    ...(options.valuesFiles ?? []).flatMap((file) => ['--values', file]),
    ...(options.set ?? []).flatMap((assignment) => ['--set', assignment]),
    ...(options.apiVersions ?? []).flatMap((api) => ['--api-versions', api]),
  ];
}

/** `helm template` output as objects; throws on a helm error or on any YAML problem. */
export function renderChart(options: RenderOptions = {}): K8sObject[] {
  const result = runHelm(templateArgs(options));
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifests(result.stdout);
}

/** Parses multi-document YAML strictly: duplicate keys and syntax errors throw. */
export function parseManifests(text: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const document of parseAllDocuments(text, { uniqueKeys: true })) {
    const problems = [...document.errors, ...document.warnings];
    if (problems.length > 0) {
      throw new Error(`rendered YAML is not clean: ${problems.map((p) => p.message).join('; ')}`);
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const object = value as Partial<K8sObject>;
    if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      throw new Error(`a rendered document has no apiVersion/kind: ${JSON.stringify(value)}`);
    }
    objects.push(object as K8sObject);
  }
  return objects;
}

/** The module of kubernetes-models (or its Prometheus Operator models) for an apiVersion. */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  }
  return `kubernetes-models/${apiVersion}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * Validates each object against its Kubernetes (or Prometheus Operator) schema. Returns one
 * message per problem; a kind without a model is a problem too, never a pass.
 */
export async function validateObjects(objects: readonly K8sObject[]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const label = `${object.kind} ${object.metadata?.name ?? '(no name)'} (${object.apiVersion})`;
    let models: Record<string, unknown>;
    try {
      models = (await import(modelModule(object.apiVersion))) as Record<string, unknown>;
    } catch {
      problems.push(`${label}: no schema for apiVersion ${object.apiVersion}`);
      continue;
    }
    const Model = models[object.kind];
    if (typeof Model !== 'function') {
      problems.push(`${label}: no schema for kind ${object.kind}`);
      continue;
    }
    try {
      new (Model as ModelClass)(object).validate();
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
    }
  }
  return problems;
}

export function findObject<T = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
  name?: string,
): T {
  const found = objects.find(
    (object) => object.kind === kind && (name === undefined || object.metadata.name === name),
  );
  if (!found) {
    const have = objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ');
    throw new Error(`no ${kind}${name ? ` named ${name}` : ''} rendered (have: ${have})`);
  }
  return found as T;
}

export function objectsOfKind<T = K8sObject>(objects: readonly K8sObject[], kind: string): T[] {
  return objects.filter((object) => object.kind === kind) as T[];
}

/** Where one environment variable of a container comes from. */
export type EnvSource =
  | { from: 'value'; value: string }
  | { from: 'configMap'; configMap: string; value: string }
  | { from: 'secret'; secret: string; key: string }
  | { from: 'field'; fieldPath: string };

/**
 * The container's environment as the kubelet assembles it: envFrom ConfigMaps first (resolved
 * against the rendered ConfigMaps), then env entries (later wins). A reference to a ConfigMap the
 * chart did not render, or an envFrom Secret (whose names nobody can check), throws.
 */
export function resolveEnv(
  container: IContainer,
  objects: readonly K8sObject[],
): Map<string, EnvSource> {
  const env = new Map<string, EnvSource>();
  const configMapData = (name: string): Record<string, string> => {
    const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name);
    if (!configMap)
      throw new Error(`container ${container.name} reads ConfigMap ${name}, not rendered`);
    return (configMap.data as Record<string, string> | undefined) ?? {};
  };
  for (const source of container.envFrom ?? []) {
    if (source.secretRef) {
      throw new Error(`container ${container.name}: envFrom a Secret hides which names it sets`);
    }
    if (!source.configMapRef?.name) throw new Error(`container ${container.name}: odd envFrom`);
    const prefix = source.prefix ?? '';
    for (const [name, value] of Object.entries(configMapData(source.configMapRef.name))) {
      env.set(prefix + name, { from: 'configMap', configMap: source.configMapRef.name, value });
    }
  }
  for (const variable of container.env ?? [])
    env.set(variable.name, envVarSource(variable, configMapData));
  return env;
}

function envVarSource(
  variable: IEnvVar,
  configMapData: (name: string) => Record<string, string>,
): EnvSource {
  const from = variable.valueFrom;
  if (!from) return { from: 'value', value: variable.value ?? '' };
  if (from.secretKeyRef?.name) {
    return { from: 'secret', secret: from.secretKeyRef.name, key: from.secretKeyRef.key };
  }
  if (from.configMapKeyRef?.name) {
    const value = configMapData(from.configMapKeyRef.name)[from.configMapKeyRef.key];
    if (value === undefined) throw new Error(`${variable.name}: ConfigMap key missing`);
    return { from: 'configMap', configMap: from.configMapKeyRef.name, value };
  }
  if (from.fieldRef) return { from: 'field', fieldPath: from.fieldRef.fieldPath };
  throw new Error(`${variable.name}: a valueFrom the tests do not understand`);
}

/** A process environment from resolved sources; secrets read as the given placeholder. */
export function envRecord(
  env: ReadonlyMap<string, EnvSource>,
  secretValue = 'from-a-secret',
): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, source] of env) {
    record[name] =
      source.from === 'secret'
        ? secretValue
        : source.from === 'field'
          ? `field:${source.fieldPath}`
          : source.value;
  }
  return record;
}
