// The Java servers: Kafka as a classpath assembled by Maven, OpenSearch as its integ-test zip.
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../exec.ts';
import { cacheDir } from '../paths.ts';
import { VERSIONS } from '../versions.ts';
import { mvnCopyArtifact, mvnCopyDependencies } from './maven.ts';
import { buildLog } from './once.ts';

const kafkaPom = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sluice</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${VERSIONS.kafka}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>${VERSIONS.slf4j}</version></dependency>
  </dependencies>
</project>
`;

/** Installs Kafka's runtime classpath into `out/libs`. */
export async function installKafka(out: string): Promise<void> {
  const pomDir = join(cacheDir(), 'build', `kafka-${VERSIONS.kafka}`);
  mkdirSync(pomDir, { recursive: true });
  writeFileSync(join(pomDir, 'pom.xml'), kafkaPom);
  await mvnCopyDependencies(pomDir, join(out, 'libs'), buildLog('kafka', VERSIONS.kafka));
}

/** Installs the OpenSearch integ-test distribution as `out/` (bin/, lib/, modules/, config/). */
export async function installOpenSearch(out: string): Promise<void> {
  const v = VERSIONS.opensearch;
  const log = buildLog('opensearch', v);
  const dl = join(out, '.download');
  await mvnCopyArtifact(`org.opensearch.distribution.integ-test-zip:opensearch:${v}:zip`, dl, log);
  const zip = join(dl, `opensearch-${v}.zip`);
  // unzip where installed; the JDK's jar otherwise (it drops file modes, restored below)
  await exec('unzip', ['-q', zip, '-d', dl], { log }).catch(() => exec('jar', ['xf', zip], { log, cwd: dl }));
  const home = join(dl, `opensearch-${v}`);
  for (const entry of readdirSync(home)) renameSync(join(home, entry), join(out, entry));
  rmSync(dl, { recursive: true, force: true });
  for (const f of readdirSync(join(out, 'bin'))) chmodSync(join(out, 'bin', f), 0o755);
}
