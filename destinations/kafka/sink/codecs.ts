// Compression codecs for kafkajs beyond its built-in gzip: zstd from Node's own zlib (no
// dependency), snappy from kafkajs-snappy (pure JS, snappyjs; reads xerial framing), and LZ4 from
// lz4-napi (N-API over the Rust lz4_flex, prebuilt per platform as optional packages, so no build
// step and none at image build either; maintained, unlike the pure-JS lz4js of 2017 or the
// node-gyp `lz4` behind kafkajs-lz4). Kafka's LZ4 is the standard LZ4 frame format with
// independent blocks, which is what compressFrame writes (64 KiB blocks); compression runs on
// the libuv thread pool, off the event loop.
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';
import type { KafkaOptions } from '../../../contract/agent-config/types.ts';

type KafkaCompression = NonNullable<KafkaOptions['compression']>;

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

type Lz4 = {
  compressFrame(b: Buffer): Promise<Buffer>;
  decompressFrame(b: Buffer): Promise<Buffer>;
};
let lz4: Lz4 | undefined;
export const lz4Codec: Codec = () => {
  lz4 ??= createRequire(import.meta.url)('lz4-napi') as Lz4;
  const l = lz4;
  return { compress: (encoder) => l.compressFrame(encoder.buffer), decompress: (b) => l.decompressFrame(b) };
};

type KafkaJs = typeof import('kafkajs');

/** Registers the snappy, lz4 and zstd codecs with kafkajs (also what a consumer needs to read them). */
export function installCodecs(mod: KafkaJs): KafkaJs {
  // Imported from ESM, the CommonJS module's codec table is only on its default export.
  const kafkajs = (mod as { default?: KafkaJs }).default ?? mod;
  const codecs = kafkajs.CompressionCodecs as Record<number, Codec>;
  if (codecs[kafkajs.CompressionTypes.ZSTD] !== zstdCodec) {
    const require = createRequire(import.meta.url);
    codecs[kafkajs.CompressionTypes.Snappy] = require('kafkajs-snappy') as Codec;
    codecs[kafkajs.CompressionTypes.LZ4] = lz4Codec;
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
    case 'lz4':
      return kafkajs.CompressionTypes.LZ4;
    case 'zstd':
      return kafkajs.CompressionTypes.ZSTD;
  }
}
