/** Option parsers shared by the commands: they turn bad values into usage errors. */
import { InvalidArgumentError } from 'commander';
import { SAGA_STATUSES } from '../../wire/contract/messages.js';

export function positiveInt(name: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from 1 to ${max}`);
    }
    return n;
  };
}

/** A duration: `500` (ms), `30s`, `5m`. */
export function duration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError('use milliseconds or a unit: 500, 30s, 5m');
  const amount = Number(match[1]);
  const unit = match[2] ?? 'ms';
  return Math.round(amount * (unit === 'm' ? 60_000 : unit === 's' ? 1_000 : 1));
}

export function status(value: string): string {
  if (!(SAGA_STATUSES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`status must be one of ${SAGA_STATUSES.join(', ')}`);
  }
  return value;
}
