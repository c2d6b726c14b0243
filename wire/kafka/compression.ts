/**
 * Every compression Kafka defines, readable by kafkajs. kafkajs 2.2.4 reads only gzip by itself; a
 * snappy batch (franz-go's and librdkafka-based clients' usual choice) made its fetch throw and
 * the consumer crash-loop. The codecs registered here are pure JavaScript, so nothing is built or
 * downloaded at install time:
 *
 * | id | codec  | library                                     |
 * | -- | ------ | ------------------------------------------- |
 * | 1  | gzip   | kafkajs' own (node:zlib)                    |
 * | 2  | snappy | `kafkajs-snappy` (raw and xerial-framed)    |
 * | 3  | lz4    | `lz4js` (the LZ4 frame format Kafka uses)   |
 * | 4  | zstd   | `fzstd` (decompression only)                |
 *
 * Every `decompress` is wrapped: a batch it cannot decompress becomes placeholder records that the
 * subscriber dead-letters (undecodable-batch.ts), so one bad batch never stops a consumer. Codec
 * ids Kafka does not define (5–7) get a codec that always fails the same way.
 *
 * What we produce is unchanged: uncompressed. zstd could not be produced at all (`fzstd` only
 * decompresses); the other codecs' `compress` works, should a producer ever ask for it.
 *
 * Registration is process-wide (kafkajs keeps one codec table) and idempotent;
 * {@link registerCompressionCodecs} runs wherever this transport makes a client or a consumer.
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';
import createSnappyCodec from 'kafkajs-snappy';
import { decompress as lz4Decompress, compress as lz4Compress } from 'lz4js';
import { decompress as zstdDecompress } from 'fzstd';
import { placeholderRecords, readBatchHeader } from './undecodable-batch.js';

// Node's ESM loader cannot see these two as named exports of kafkajs (CommonJS; its export list
// has member expressions), so `import { CompressionCodecs }` works under tsx but not in dist/.
const { CompressionCodecs, CompressionTypes } = createRequire(import.meta.url)(
  'kafkajs',
) as typeof KafkaJs;

/** A kafkajs codec: what `CompressionCodecs[type]()` returns. */
export interface CompressionCodec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/** The codecs Kafka defines besides `none`, by their id in a batch's attributes. */
export const COMPRESSION_CODEC_IDS = {
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
} as const;

export type CompressionCodecName = keyof typeof COMPRESSION_CODEC_IDS;

const asBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);

/** The codecs registered by default. */
export function defaultCompressionCodecs(): Record<CompressionCodecName, CompressionCodec> {
  // kafkajs' gzip, taken before this module replaces the table entry.
  const gzip = originalGzip;
  return {
    gzip,
    snappy: createSnappyCodec(),
    lz4: {
      compress: async (encoder) => asBuffer(lz4Compress(encoder.buffer)),
      decompress: async (buffer) => asBuffer(lz4Decompress(buffer)),
    },
    zstd: {
      compress: () =>
        Promise.reject(new Error('zstd: this transport reads zstd but does not produce it')),
      decompress: async (buffer) => asBuffer(zstdDecompress(buffer)),
    },
  };
}

type CodecTable = Record<number, (() => CompressionCodec) | undefined>;
const table = CompressionCodecs as unknown as CodecTable;
const originalGzip = (table[CompressionTypes.GZIP] as () => CompressionCodec)();

/** The codecs in use, by id; the table's entries look them up at each call. */
const current = new Map<number, CompressionCodec>();
let registered = false;

/** Ids Kafka does not define but a batch's three codec bits can hold. */
const UNDEFINED_CODEC_IDS = [5, 6, 7];

/**
 * Registers the codecs with kafkajs (once per process; later calls do nothing). Every reader of
 * this transport calls it; call it yourself before using a kafkajs client made elsewhere.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codecs = defaultCompressionCodecs();
  for (const [name, id] of Object.entries(COMPRESSION_CODEC_IDS)) {
    current.set(id, codecs[name as CompressionCodecName]);
    const wrapped = guarded(name, id);
    table[id] = () => wrapped;
  }
  for (const id of UNDEFINED_CODEC_IDS) {
    const name = `codec ${id}`;
    current.set(id, {
      compress: () => Promise.reject(new Error(`${name} is not a Kafka compression`)),
      decompress: () => Promise.reject(new Error(`${name} is not a Kafka compression`)),
    });
    const wrapped = guarded(name, id);
    table[id] = () => wrapped;
  }
}

/**
 * Puts `codec` in place of the one registered for `name`, and returns a function that puts the
 * previous one back. For a faster native codec, or for a test that needs a codec to fail. The
 * replacement is wrapped like the others: what it cannot decompress is dead-lettered.
 */
export function replaceCompressionCodec(
  name: CompressionCodecName,
  codec: CompressionCodec,
): () => void {
  registerCompressionCodecs();
  const id = COMPRESSION_CODEC_IDS[name];
  const previous = current.get(id);
  current.set(id, codec);
  return () => {
    if (previous) current.set(id, previous);
  };
}

/** The codec of `id` with a `decompress` that turns a failure into placeholder records. */
function guarded(name: string, id: number): CompressionCodec {
  const codec = () => {
    const found = current.get(id);
    if (!found) throw new Error(`${name}: no codec registered`);
    return found;
  };
  return {
    compress: (encoder) => codec().compress(encoder),
    decompress: async (buffer) => {
      try {
        return await codec().decompress(buffer);
      } catch (error) {
        const header = readBatchHeader(buffer, id);
        // Not a record batch we can prove (a legacy message set, say): kafkajs' behaviour.
        if (!header) throw error;
        const message = error instanceof Error ? error.message : String(error);
        return placeholderRecords(header, { codec: name, error: message });
      }
    },
  };
}
