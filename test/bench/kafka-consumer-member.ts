// One member of a consumer group for the Kafka consumer benchmark (kafka-consumer.ts), run as its
// own process so its CPU and peak RSS are its own. It counts the records it receives, commits the
// offsets it has fully received (kafkajs: each partition batch; @platformatic/kafka: every 1,000
// messages of a partition and when the stream ends), and on SIGUSR2 writes a byte per record
// sequence number (how often it saw it) and exits. Every 250 ms it prints a JSON status line.
//   node kafka-consumer-member.ts <kafkajs|platformatic> <brokers,> <topic> <group> <records> <seen-file> [<maxBytes> <maxBytesPerPartition>]
import { writeFileSync } from 'node:fs';
import { installCodecs } from '../../destinations/kafka/sink/codecs.ts';

const [client, brokerList, topic, group, totalText, seenFile, maxBytesText, perPartitionText] =
  process.argv.slice(2);
const brokers = brokerList!.split(',');
const total = Number(totalText);
const seen = new Uint8Array(total);
const fetch =
  maxBytesText === undefined
    ? undefined
    : { maxBytes: Number(maxBytesText), maxBytesPerPartition: Number(perPartitionText) };
const SEQ = /"n":(\d+)/;
const cpu0 = process.cpuUsage();
const t0 = Date.now();
let n = 0;
let first = -1;
let last = 0;
/** Longest time between two deliveries once records flow: a rebalance shows here. */
let stall = 0;

function received(value: string): void {
  const now = Date.now();
  if (first < 0) first = now - t0;
  else stall = Math.max(stall, now - last);
  last = now;
  n++;
  const i = Number(SEQ.exec(value)?.[1] ?? -1);
  if (i >= 0 && i < total && seen[i]! < 255) seen[i]!++;
}

let close: () => Promise<void> = async () => {};

if (client === 'kafkajs') {
  const kafkajs = await import('kafkajs');
  installCodecs(kafkajs);
  const k = new kafkajs.Kafka({ clientId: 'bench-member', brokers, logLevel: kafkajs.logLevel.NOTHING });
  const c = k.consumer({ groupId: group!, sessionTimeout: 10_000, heartbeatInterval: 1000, ...fetch });
  await c.connect();
  await c.subscribe({ topic: topic!, fromBeginning: true });
  await c.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      for (const m of batch.messages) received(m.value!.toString('utf8'));
      await c.commitOffsets([
        { topic: batch.topic, partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) },
      ]);
      await heartbeat();
    },
  });
  close = () => c.disconnect();
} else {
  const { Consumer, stringDeserializers } = await import('@platformatic/kafka');
  const c = new Consumer({
    groupId: group!,
    clientId: 'bench-member',
    bootstrapBrokers: brokers,
    deserializers: stringDeserializers,
    ...fetch,
  });
  const stream = await c.consume({
    autocommit: false,
    topics: [topic!],
    mode: 'committed',
    fallbackMode: 'earliest',
    sessionTimeout: 10_000,
    heartbeatInterval: 1000,
  });
  const perPartition = new Map<number, number>();
  stream.on('data', (m) => {
    received(m.value as string);
    const k = (perPartition.get(m.partition) ?? 0) + 1;
    perPartition.set(m.partition, k);
    if (k % 1000 === 0) void m.commit();
  });
  close = async () => {
    await stream.close();
    await c.close();
  };
}

const status = () => {
  const u = process.cpuUsage(cpu0);
  return {
    n,
    cpuSeconds: (u.user + u.system) / 1e6,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    firstMs: first,
    stallMs: stall,
    idleMs: n === 0 ? 0 : Date.now() - last,
  };
};
const timer = setInterval(() => process.stdout.write(`${JSON.stringify(status())}\n`), 250);
process.on('SIGUSR2', () => {
  clearInterval(timer);
  const s = status();
  writeFileSync(seenFile!, seen);
  process.stdout.write(`${JSON.stringify({ ...s, done: true })}\n`);
  void close().finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 5000).unref();
});
