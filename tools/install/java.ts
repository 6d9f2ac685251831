// The Java servers: Kafka as a classpath assembled by Maven, OpenSearch as its integ-test zip.
import { chmodSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from '../cache.ts';
import { exec } from '../exec.ts';
import { VERSIONS } from '../versions.ts';
import { mvnCopyArtifact, mvnCopyDependencies } from './maven.ts';
import { buildLog } from './once.ts';

// Kafka 3.x logs through log4j 1 (reload4j behind slf4j 1.7); Kafka 4 dropped log4j 1 for log4j2
// (kafka-server brings log4j-core), so its slf4j 2 binding is log4j-slf4j2-impl.
function kafkaPom(version: string): string {
  const logging = version.startsWith('3.')
    ? `<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>${VERSIONS.slf4j}</version></dependency>`
    : `<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>${VERSIONS.slf4j2}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>${VERSIONS.log4j2}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sluice</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    ${logging}
  </dependencies>
</project>
`;
}

/** Installs the runtime classpath of Kafka `version` (3.x or 4.x) into `out/libs`. */
export async function installKafka(version: string, out: string): Promise<void> {
  const pomDir = join(cacheDir(), 'build', `kafka-${version}`);
  mkdirSync(pomDir, { recursive: true });
  writeFileSync(join(pomDir, 'pom.xml'), kafkaPom(version));
  await mvnCopyDependencies(pomDir, join(out, 'libs'), buildLog('kafka', version));
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
