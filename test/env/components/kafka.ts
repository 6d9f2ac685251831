// A single-node Kafka in KRaft mode (broker and controller in one JVM) with three client listeners:
// PLAINTEXT, SASL_SSL with SCRAM-SHA-512 (the user is created when the storage is formatted), and
// SSL requiring a client certificate signed by the environment's CA (mutual TLS); and a fourth,
// POD, plaintext on 127.0.0.1 but advertised as 10.96.0.2:<port>, the address at which pods of the
// real node (node.ts) reach this machine's loopback: a client in a pod bootstraps there and gets
// broker addresses it can reach from the metadata. The key stores
// are the PEM files of test/env/pki.ts, so no keytool and nothing to download.
// One function for both Kafka components: `kafka` (3.9) and `kafka4` (a current 4.x) differ in the
// version installed and in logging (log4j 1 through reload4j, log4j2); the listeners, the SCRAM
// user, the storage format step and the readiness checks are the same.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import { exec } from '../../../tools/exec.ts';
import { install } from '../../../tools/install/index.ts';
import { VERSIONS } from '../../../tools/versions.ts';
import { HOST_SERVICES_IP } from '../node/network.ts';
import { freePorts } from '../ports.ts';
import { startProcess } from '../proc.ts';
import type { KafkaComponent, KafkaInfo } from '../types.ts';
import { waitUntil } from '../wait.ts';
import type { Ctx } from './context.ts';

export const KAFKA_USER = 'sluice';

/** The Kafka version each Kafka component runs. */
export const KAFKA_VERSIONS: Record<KafkaComponent, string> = {
  kafka: VERSIONS.kafka,
  kafka4: VERSIONS.kafka4,
};

export async function installKafka(ctx: Ctx, component: KafkaComponent): Promise<string> {
  return (await install.kafka(ctx.say, KAFKA_VERSIONS[component])).kafkaLibs;
}

/**
 * The logging configuration (WARN, and INFO for the server's start/stop lines) and the JVM flag
 * that points at it: log4j 1 properties for 3.x (reload4j), log4j2 properties for 4.x. With
 * SLUICE_TESTENV_KAFKA_REQUEST_LOG=1 the broker also writes every request it completed, as JSON
 * with `requestApiKey`, `requestApiVersion` and `requestApiVersionDeprecated`, to
 * `<run dir>/<component>/requests.log`: which protocol versions the clients (kafkajs) use.
 */
function logging(dir: string, version: string): string {
  const requests =
    process.env.SLUICE_TESTENV_KAFKA_REQUEST_LOG === '1' ? join(dir, 'requests.log') : undefined;
  if (version.startsWith('3.')) {
    const file = join(dir, 'log4j.properties');
    writeFileSync(
      file,
      [
        'log4j.rootLogger=WARN, stdout',
        'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
        'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
        'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
        'log4j.logger.kafka.server.KafkaServer=INFO',
        'log4j.logger.kafka.server.BrokerServer=INFO',
        ...(requests === undefined
          ? []
          : [
              'log4j.appender.requests=org.apache.log4j.FileAppender',
              `log4j.appender.requests.File=${requests}`,
              'log4j.appender.requests.layout=org.apache.log4j.PatternLayout',
              'log4j.appender.requests.layout.ConversionPattern=%m%n',
              'log4j.logger.kafka.request.logger=DEBUG, requests',
              'log4j.additivity.kafka.request.logger=false',
            ]),
        '',
      ].join('\n'),
    );
    return `-Dlog4j.configuration=file:${file}`;
  }
  const file = join(dir, 'log4j2.properties');
  writeFileSync(
    file,
    [
      'status = warn',
      'appender.stdout.type = Console',
      'appender.stdout.name = STDOUT',
      'appender.stdout.layout.type = PatternLayout',
      'appender.stdout.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = WARN',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      'logger.broker.name = kafka.server.BrokerServer',
      'logger.broker.level = INFO',
      ...(requests === undefined
        ? []
        : [
            'appender.requests.type = File',
            'appender.requests.name = REQUESTS',
            `appender.requests.fileName = ${requests}`,
            'appender.requests.layout.type = PatternLayout',
            'appender.requests.layout.pattern = %m%n',
            'logger.requests.name = kafka.request.logger',
            'logger.requests.level = DEBUG',
            'logger.requests.additivity = false',
            'logger.requests.appenderRef.requests.ref = REQUESTS',
          ]),
      '',
    ].join('\n'),
  );
  return `-Dlog4j2.configurationFile=${file}`;
}

function serverProperties(
  dir: string,
  ports: { plain: number; sasl: number; ssl: number; pod: number; controller: number },
  pki: { keystore: string; caCert: string },
) {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${ports.controller}
listeners=PLAINTEXT://127.0.0.1:${ports.plain},SASL_SSL://127.0.0.1:${ports.sasl},SSL://127.0.0.1:${ports.ssl},POD://127.0.0.1:${ports.pod},CONTROLLER://127.0.0.1:${ports.controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.plain},SASL_SSL://127.0.0.1:${ports.sasl},SSL://127.0.0.1:${ports.ssl},POD://${HOST_SERVICES_IP}:${ports.pod}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,POD:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PEM
ssl.keystore.location=${pki.keystore}
listener.name.ssl.ssl.client.auth=required
listener.name.ssl.ssl.truststore.type=PEM
listener.name.ssl.ssl.truststore.location=${pki.caCert}
log.dirs=${join(dir, 'data')}
num.partitions=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
log.retention.hours=24
`;
}

export async function startKafka(ctx: Ctx, component: KafkaComponent, libs: string): Promise<KafkaInfo> {
  const version = KAFKA_VERSIONS[component];
  const dir = join(ctx.runDir, component);
  mkdirSync(dir, { recursive: true });
  const [plain, sasl, ssl, pod, controller] = (await freePorts(5)) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const props = join(dir, 'server.properties');
  writeFileSync(props, serverProperties(dir, { plain, sasl, ssl, pod, controller }, ctx.pki));
  const password = randomBytes(12).toString('hex');
  const java = ['-cp', join(libs, '*'), logging(dir, version)];
  const clusterId = randomBytes(16).toString('base64url');
  await exec(
    'java',
    [
      ...java,
      'kafka.tools.StorageTool',
      'format',
      // `=` form: a random id may begin with '-', which the option parser would take for a flag
      // (1 run in 64 per broker failed so).
      `--cluster-id=${clusterId}`,
      '-c',
      props,
      '--add-scram',
      `SCRAM-SHA-512=[name=${KAFKA_USER},password=${password}]`,
    ],
    { log: join(dir, 'format.log') },
  );

  const proc = startProcess(
    component,
    'java',
    [
      '-Xms256m',
      '-Xmx512m',
      '-XX:+UseG1GC',
      '-XX:TieredStopAtLevel=1',
      '-Djava.awt.headless=true',
      ...java,
      'kafka.Kafka',
      props,
    ],
    { ports: [plain, sasl, ssl, pod, controller] },
  );
  ctx.track(proc);

  const info: KafkaInfo = {
    plaintext: { brokers: [`127.0.0.1:${plain}`] },
    saslSsl: {
      brokers: [`127.0.0.1:${sasl}`],
      mechanism: 'scram-sha-512',
      username: KAFKA_USER,
      password,
      caFile: ctx.pki.caCert,
    },
    mtls: {
      brokers: [`127.0.0.1:${ssl}`],
      caFile: ctx.pki.caCert,
      certFile: ctx.pki.clientCert,
      keyFile: ctx.pki.clientKey,
    },
    pod: { brokers: [`${HOST_SERVICES_IP}:${pod}`] },
    version,
  };
  // Ready means a metadata request answered over the authenticated TLS listener, which proves
  // broker, controller quorum, TLS and the SCRAM credential at once; then one over the mutual-TLS
  // listener with the client certificate.
  const ca = readFileSync(ctx.pki.caCert, 'utf8');
  const ready = (brokers: string[], auth: Pick<KafkaConfig, 'ssl' | 'sasl'>) => async () => {
    const admin = new Kafka({
      clientId: 'sluice-testenv',
      brokers,
      ...auth,
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      connectionTimeout: 3_000,
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      return cluster.brokers.length === 1 && cluster.controller === 1;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  };
  await waitUntil(
    `${component} metadata over SASL_SSL`,
    ready(info.saslSsl.brokers, {
      ssl: { ca: [ca] },
      sasl: { mechanism: 'scram-sha-512', username: KAFKA_USER, password },
    }),
    { timeoutMs: 120_000, procs: [proc], intervalMs: 500 },
  );
  const mtls = {
    ca: [ca],
    cert: readFileSync(ctx.pki.clientCert, 'utf8'),
    key: readFileSync(ctx.pki.clientKey, 'utf8'),
  };
  await waitUntil(
    `${component} metadata over SSL with a client certificate`,
    ready(info.mtls.brokers, { ssl: mtls }),
    {
      timeoutMs: 30_000,
      procs: [proc],
      intervalMs: 500,
    },
  );
  return info;
}
