// Allocation-free replacements for the parts of kafkajs 2.2.4 that dominate the agent's CPU when
// producing (a profile of the sink benchmark: a third of the time in the garbage collector and
// Buffer construction). Each returns byte-for-byte what kafkajs would (kafka.test.ts compares them
// with the originals):
// - Encoder#writeUVarInt built an array and a Buffer per varint (several per record): now the
//   bytes go straight into the encoder's buffer.
// - Encoder#writeVarLong and sizeOfVarLong went through Long objects for every record's
//   timestamp delta: a JS number that is a safe integer is zigzag-encoded with arithmetic.
// - Every record started a `new Encoder()` — a zero-filled 512-byte ArrayBuffer of its own,
//   regrown for longer records: now one buffer of the record's exact size from Node's pool.
// - Encoder#writeEncoderArray (a batch's records) sliced a Buffer view per record to copy it.
// - The default partitioner hashed the key (murmur2) and filtered the partition list for every
//   message: the hash is memoised per key string (keys are few: pods, namespaces).

interface EncoderLike {
  buf: Buffer;
  offset: number;
  ensureAvailable(n: number): void;
  writeVarInt(v: number): EncoderLike;
  writeInt8(v: number): EncoderLike;
  writeVarLong(v: unknown): EncoderLike;
  writeVarIntBytes(v: unknown): EncoderLike;
  writeVarIntArray(a: unknown[]): EncoderLike;
  writeEncoderArray(a: EncoderLike[]): EncoderLike;
}
export interface EncoderClass {
  prototype: EncoderLike;
  sizeOfVarInt(v: number): number;
  sizeOfVarLong(v: unknown): number;
  sizeOfVarIntBytes(v: unknown): number;
}

const zigzag64 = (v: number): number => (v >= 0 ? v * 2 : -v * 2 - 1);

/** Patches Encoder in place; returns the originals (for the equivalence test). */
export function patchEncoder(Encoder: EncoderClass): {
  writeUVarInt: unknown;
  writeVarLong: unknown;
  sizeOfVarLong: unknown;
} {
  const proto = Encoder.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const originals = {
    writeEncoderArray: proto.writeEncoderArray,
    writeUVarInt: proto.writeUVarInt,
    writeVarLong: proto.writeVarLong,
    sizeOfVarLong: Encoder.sizeOfVarLong,
  };
  if ((proto.writeUVarInt as { sluice?: boolean }).sluice) return originals;
  const writeVarLong = proto.writeVarLong;
  const sizeOfVarLong = Encoder.sizeOfVarLong.bind(Encoder);
  const fastUVarInt = function (this: EncoderLike, value: number) {
    // As kafkajs: the value is taken as an unsigned 32-bit integer. Exact size: a record's
    // buffer is allocated to fit (makeRecordEncoder) and must not regrow for its last varint.
    let v = value >>> 0;
    this.ensureAvailable(v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5);
    const b = this.buf;
    let o = this.offset;
    while (v > 0x7f) {
      b[o++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    b[o++] = v;
    this.offset = o;
    return this;
  };
  (fastUVarInt as { sluice?: boolean }).sluice = true;
  proto.writeUVarInt = fastUVarInt as never;
  proto.writeVarLong = function (this: EncoderLike, value: unknown) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > 2 ** 51)
      return writeVarLong.call(this, value);
    this.ensureAvailable(Encoder.sizeOfVarLong(value));
    const b = this.buf;
    let o = this.offset;
    let z = zigzag64(value);
    while (z > 0x7f) {
      b[o++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    b[o++] = z;
    this.offset = o;
    return this;
  } as never;
  const writeEncoderArray = proto.writeEncoderArray;
  proto.writeEncoderArray = function (this: EncoderLike, value: unknown) {
    if (!Array.isArray(value)) return writeEncoderArray.call(this, value);
    let n = 0;
    for (const v of value as EncoderLike[]) {
      if (v == null || !Buffer.isBuffer(v.buf)) return writeEncoderArray.call(this, value);
      n += v.offset;
    }
    this.ensureAvailable(n);
    for (const v of value as EncoderLike[]) this.offset += v.buf.copy(this.buf, this.offset, 0, v.offset);
    return this;
  } as never;
  Encoder.sizeOfVarLong = (value: unknown) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || Math.abs(value) > 2 ** 51)
      return sizeOfVarLong(value);
    let z = zigzag64(value);
    let n = 1;
    while (z > 0x7f) {
      n++;
      z = Math.floor(z / 128);
    }
    return n;
  };
  return originals;
}

type RecordArgs = {
  offsetDelta?: number;
  timestampDelta?: unknown;
  key?: unknown;
  value?: unknown;
  headers?: Record<string, unknown>;
};

/**
 * kafkajs's record v0 encoder (protocol/recordBatch/record/v0) with an exact-size buffer;
 * records with headers go to the original.
 */
export function makeRecordEncoder(Encoder: EncoderClass, original: (a: RecordArgs) => unknown) {
  return (args: RecordArgs): unknown => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = args;
    if (headers !== undefined && Object.keys(headers).length > 0) return original(args);
    const body =
      1 +
      Encoder.sizeOfVarLong(timestampDelta) +
      Encoder.sizeOfVarInt(offsetDelta) +
      Encoder.sizeOfVarIntBytes(key) +
      Encoder.sizeOfVarIntBytes(value) +
      1; // zero headers
    const e = Object.create(Encoder.prototype) as EncoderLike;
    e.buf = Buffer.allocUnsafe(Encoder.sizeOfVarInt(body) + body);
    e.offset = 0;
    return e
      .writeVarInt(body)
      .writeInt8(0)
      .writeVarLong(timestampDelta)
      .writeVarInt(offsetDelta)
      .writeVarIntBytes(key)
      .writeVarIntBytes(value)
      .writeVarInt(0);
  };
}

type PartitionArgs = {
  topic: string;
  partitionMetadata: { partitionId: number; leader: number }[];
  message: { key?: unknown; partition?: number | null };
};

/** kafkajs's DefaultPartitioner with the key hash memoised per key string. */
export function memoisedPartitioner(
  create: () => (a: PartitionArgs) => number,
  murmur2: (key: string | Buffer) => number,
  maxKeys = 10_000,
) {
  return () => {
    const inner = create();
    const hashes = new Map<string, number>();
    return (a: PartitionArgs): number => {
      const m = a.message;
      if (typeof m.key === 'string' && (m.partition === null || m.partition === undefined)) {
        let h = hashes.get(m.key);
        if (h === undefined) {
          h = murmur2(m.key) & 0x7fffffff;
          if (hashes.size >= maxKeys) hashes.clear();
          hashes.set(m.key, h);
        }
        return h % a.partitionMetadata.length;
      }
      return inner(a);
    };
  };
}
