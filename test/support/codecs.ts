/**
 * Compressed records for tests: kcat (librdkafka) produces them in the codec asked for, and the
 * transport's codecs can be watched (did a batch of that codec reach our consumer?) or made to
 * fail for chosen batches (the undecodable path), then restored.
 */
import {
  defaultCompressionCodecs,
  replaceCompressionCodec,
  type CompressionCodecName,
} from '../../wire/kafka/index.js';
import { kcat } from '../integration/participants/support/kcat.js';
import { infraEndpoints } from './infra.js';

export const CODECS: readonly CompressionCodecName[] = ['gzip', 'snappy', 'lz4', 'zstd'];

/**
 * Something librdkafka compresses for sure: it sends a batch uncompressed when compressing
 * would not make it smaller, so short values would not test the codec at all.
 */
export const COMPRESSIBLE = 'compress me '.repeat(200);

export interface KcatRecord {
  key: string;
  /** One line: JSON.stringify output never holds a newline. */
  value: string;
}

/** Produces `records` in one kcat run (one batch per partition), compressed with `codec`. */
export async function produceWithKcat(
  topic: string,
  codec: CompressionCodecName,
  records: readonly KcatRecord[],
  partition?: number,
): Promise<void> {
  const args = ['-b', infraEndpoints().brokers.join(','), '-P', '-t', topic, '-z', codec];
  args.push('-K', '\t', '-X', 'linger.ms=50');
  if (partition !== undefined) args.push('-p', String(partition));
  const lines = records.map((r) => `${r.key}\t${r.value}\n`).join('');
  await kcat(args, lines);
}

export interface CodecWatch {
  /** Batches of this codec our consumers decompressed since the watch began. */
  batches(): number;
  restore(): void;
}

/** Counts the batches of `codec` the transport decompresses (the real codec still does it). */
export function watchCodec(codec: CompressionCodecName): CodecWatch {
  const real = defaultCompressionCodecs()[codec];
  let batches = 0;
  const restore = replaceCompressionCodec(codec, {
    compress: (encoder) => real.compress(encoder),
    decompress: async (buffer) => {
      const out = await real.decompress(buffer);
      batches += 1;
      return out;
    },
  });
  return { batches: () => batches, restore };
}

/**
 * Makes `codec` fail, as a broken or missing library would, for every batch whose records hold
 * `marker`; other batches decompress as usual. Returns the function that restores it.
 */
export function failCodecFor(codec: CompressionCodecName, marker: string, error: string) {
  const real = defaultCompressionCodecs()[codec];
  return replaceCompressionCodec(codec, {
    compress: (encoder) => real.compress(encoder),
    decompress: async (buffer) => {
      const out = await real.decompress(buffer);
      if (out.includes(marker)) throw new Error(error);
      return out;
    },
  });
}
