// Reading back what the agents delivered, from this machine: every message of a Kafka topic,
// every document of an OpenSearch index, every object of an S3 bucket. Each returns the records'
// text so a Tally can count sequence tags (lost, duplicated, unexpected).
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import kafkajs, { type Consumer, Kafka, logLevel } from 'kafkajs';
import { installCodecs } from '../../destinations/kafka/sink/codecs.ts';
import type { KafkaInfo, OpenSearchInfo, S3Info } from '../env/index.ts';
import { eachSource } from '../integration/sinks/opensearch-docs.ts';

installCodecs(kafkajs);

/** Follows a topic from its beginning for as long as the test runs. */
export class TopicReader {
  readonly values: string[] = [];
  /** The Kafka timestamp (ms; the producer's clock, when the agent sent it) of each value. */
  readonly times: number[] = [];
  private consumer: Consumer | undefined;
  private readonly kafka: KafkaInfo;
  readonly topic: string;
  constructor(kafka: KafkaInfo, topic: string) {
    this.kafka = kafka;
    this.topic = topic;
  }

  async start(): Promise<void> {
    const k = new Kafka({
      clientId: 'e2e-reader',
      brokers: this.kafka.plaintext.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [{ topic: this.topic, numPartitions: 3, replicationFactor: 1 }],
      waitForLeaders: true,
    });
    await admin.disconnect();
    this.consumer = k.consumer({ groupId: `e2e-${this.topic}-${Date.now()}` });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          this.values.push(m.value?.toString('utf8') ?? '');
          this.times.push(Number(m.timestamp));
        }
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}

export function openSearchClient(os: OpenSearchInfo): Client {
  return new Client({ node: os.url });
}

/** Every document's source of the index (none when it does not exist yet). */
export async function readIndex(os: Client, index: string): Promise<string[]> {
  if (!(await os.indices.exists({ index })).body) return [];
  await os.indices.refresh({ index });
  const out: string[] = [];
  await eachSource(os, index, (json) => out.push(json));
  return out;
}

export function s3Client(s3: S3Info): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
}

/** Every record line of every object of the bucket (gzip NDJSON). */
export async function readBucket(s3: S3Client, bucket: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key! }));
      const body = Buffer.from(await obj.Body!.transformToByteArray());
      const text = (o.Key!.endsWith('.gz') ? gunzipSync(body) : body).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') out.push(line);
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return out;
}
