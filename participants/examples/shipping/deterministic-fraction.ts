/**
 * A reproducible coin: the same seed and label always give the same number in [0, 1), so a test
 * that makes "10% of calls fail" fails the same calls on every run, on every machine.
 */
import { createHash } from 'node:crypto';

export function deterministicFraction(seed: string, label: string): number {
  const digest = createHash('sha256').update(`${seed}\u0000${label}`).digest();
  // 48 bits are exactly representable in a double.
  return digest.readUIntBE(0, 6) / 2 ** 48;
}
