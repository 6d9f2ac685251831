// Compression codecs for kafkajs beyond its built-in gzip: zstd from Node's own zlib (no
// dependency), snappy from kafkajs-snappy (pure JS, snappyjs; reads xerial framing). LZ4 has no
// maintained pure-JS codec, so it is reported as unavailable instead of silently replaced.
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import type { KafkaCompression } from './config.ts';

type Codec = () => {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(b: Buffer): Promise<Buffer>;
};

const zc = promisify(zstdCompress);
const zd = promisify(zstdDecompress);
export const zstdCodec: Codec = () => ({
  compress: (encoder) => zc(encoder.buffer),
  decompress: (b) => zd(b),
});

type KafkaJs = typeof import('kafkajs');

/** Registers the snappy and zstd codecs with kafkajs (also what a consumer needs to read them). */
export function installCodecs(mod: KafkaJs): KafkaJs {
  // Imported from ESM, the CommonJS module's codec table is only on its default export.
  const kafkajs = (mod as { default?: KafkaJs }).default ?? mod;
  const codecs = kafkajs.CompressionCodecs as Record<number, Codec>;
  if (codecs[kafkajs.CompressionTypes.ZSTD] !== zstdCodec) {
    const require = createRequire(import.meta.url);
    codecs[kafkajs.CompressionTypes.Snappy] = require('kafkajs-snappy') as Codec;
    codecs[kafkajs.CompressionTypes.ZSTD] = zstdCodec;
  }
  return kafkajs;
}

/** The kafkajs compression type of an option value (codecs installed). */
export function compressionType(mod: KafkaJs, c: KafkaCompression): number {
  const kafkajs = installCodecs(mod);
  switch (c) {
    case 'none':
      return kafkajs.CompressionTypes.None;
    case 'gzip':
      return kafkajs.CompressionTypes.GZIP;
    case 'snappy':
      return kafkajs.CompressionTypes.Snappy;
    case 'zstd':
      return kafkajs.CompressionTypes.ZSTD;
    default:
      throw new Error(
        `compression '${c}' is not available in this agent (no maintained pure-JS codec); use zstd, snappy, gzip or none`,
      );
  }
}
