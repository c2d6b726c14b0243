/** envalid validators for the value kinds our configuration has beyond envalid's own. */
import { makeValidator } from 'envalid';
import ms from 'ms';

/** A duration: `250ms`, `30s`, `5m`, `7d`, or a bare number of milliseconds. */
export const duration = makeValidator<number>((input) => {
  const trimmed = input.trim();
  const value = /^\d+$/.test(trimmed) ? Number(trimmed) : ms(trimmed as ms.StringValue);
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new Error(`"${input}" is not a duration (examples: 500ms, 30s, 5m, 7d)`);
  }
  return value;
});

/** A comma-separated list of non-empty items. */
export const list = makeValidator<string[]>((input) => {
  const items = input
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (items.length === 0) throw new Error('must list at least one item, comma-separated');
  return items;
});

/** `host:port` items, comma-separated (Kafka bootstrap brokers). */
export const brokerList = makeValidator<string[]>((input) => {
  const brokers = input
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  if (brokers.length === 0) throw new Error('must list at least one broker as host:port');
  for (const broker of brokers) {
    if (!/^[^\s:,]+:\d{1,5}$/.test(broker)) {
      throw new Error(`"${broker}" is not host:port`);
    }
  }
  return brokers;
});

/** An integer within bounds. */
export const intBetween = (min: number, max: number) =>
  makeValidator<number>((input) => {
    const value = Number(input.trim());
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new Error(`"${input}" must be an integer from ${min} to ${max}`);
    }
    return value;
  });

/** A Redis URL: redis:// or rediss:// (TLS); blank when Redis Cluster nodes are given instead. */
export const redisUrl = makeValidator<string>((input) => {
  if (input.trim() === '') return '';
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new Error(`"${input}" is not a URL (example: redis://127.0.0.1:6379)`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new Error(`"${input}" must start with redis:// or rediss:// (TLS)`);
  }
  return input;
});

/** One Redis Cluster node of {@link redisClusterNodes}. */
export interface RedisNodeAddress {
  host: string;
  port: number;
}

/**
 * Redis Cluster nodes, comma-separated: `host:port`, or `redis://host:port` / `rediss://host:port`
 * (TLS), all of one scheme. Blank when REDIS_URL names one Redis instead.
 */
export const redisClusterNodes = makeValidator<{ nodes: RedisNodeAddress[]; tls: boolean }>(
  (input) => {
    const items = input
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
    const schemes = new Set<string>();
    const nodes = items.map((item) => {
      const match = /^(?:(rediss?):\/\/)?([^\s:,/]+):(\d{1,5})$/.exec(item);
      if (!match?.[2] || !match[3]) {
        throw new Error(`"${item}" is not host:port (or redis://host:port, rediss://host:port)`);
      }
      schemes.add(match[1] ?? 'redis');
      return { host: match[2], port: Number(match[3]) };
    });
    if (schemes.size > 1) throw new Error('mixes redis:// and rediss:// nodes: use one scheme');
    return { nodes, tls: schemes.has('rediss') };
  },
);

/** A topic-name part: letters, digits, '.', '_' and '-'. */
export const topicPart = makeValidator<string>((input) => {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(input)) {
    throw new Error(`"${input}" may only hold letters, digits, '.', '_' and '-'`);
  }
  return input;
});

/** A number within bounds (decimals allowed). */
export const numberBetween = (min: number, max: number) =>
  makeValidator<number>((input) => {
    const value = Number(input.trim());
    if (input.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
      throw new Error(`"${input}" must be a number from ${min} to ${max}`);
    }
    return value;
  });

/**
 * A number of at least `min`, or blank for "not set" (returned as `''`, as blank strings are
 * elsewhere in the table; the loader turns it into undefined). Charts often render an unset
 * value as an empty string.
 */
export const blankOrNumberAtLeast = (min: number) =>
  makeValidator<number | ''>((input) => {
    const trimmed = input.trim();
    if (trimmed === '') return '';
    const value = Number(trimmed);
    if (!Number.isFinite(value) || value < min) {
      throw new Error(`"${input}" must be a number >= ${min}, or blank`);
    }
    return value;
  });

/**
 * `name=number` pairs, comma-separated (`SKU-1=10,SKU-2=5`); blank is an empty map. Every pair
 * that is not `<name>=<what>` (or whose number fails `check`) is named in the error.
 */
export const numberMap = ({ what, check }: { what: string; check: (n: number) => boolean }) =>
  makeValidator<Record<string, number>>((input) => {
    const result: Record<string, number> = {};
    const bad: string[] = [];
    for (const entry of input
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean)) {
      const separator = entry.indexOf('=');
      const name = entry.slice(0, separator).trim();
      const raw = entry.slice(separator + 1).trim();
      const value = Number(raw);
      if (separator <= 0 || raw === '' || !Number.isFinite(value) || !check(value)) {
        bad.push(`"${entry}"`);
        continue;
      }
      result[name] = value;
    }
    if (bad.length > 0) throw new Error(`${bad.join(', ')} not <name>=<${what}>`);
    return result;
  });

/** Blank (not set) or an absolute http(s) URL; with `placeholder`, the URL must contain it. */
export const blankOrHttpUrl = (placeholder?: string) =>
  makeValidator<string>((input) => {
    const trimmed = input.trim();
    if (trimmed === '') return '';
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw new Error(`"${input}" is not a URL (example: http://grafana:3000)`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`"${input}" must start with http:// or https://`);
    }
    if (placeholder !== undefined && !trimmed.includes(placeholder)) {
      throw new Error(`"${input}" must contain ${placeholder} where the id goes`);
    }
    return trimmed;
  });
