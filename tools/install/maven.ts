// Java components come from Maven Central through mvn, with the local repository in the cache dir.
import { join } from 'node:path';
import { cacheDir } from '../cache.ts';
import { exec } from '../exec.ts';

const plugin = 'org.apache.maven.plugins:maven-dependency-plugin:3.8.1';

function mvn(args: string[], log: string, cwd?: string): Promise<void> {
  const repo = join(cacheDir(), 'm2');
  return exec('mvn', ['-B', '-ntp', `-Dmaven.repo.local=${repo}`, ...args], { log, cwd });
}

/** Copy one artifact (e.g. a distribution zip) into `out`. */
export function mvnCopyArtifact(coords: string, out: string, log: string): Promise<void> {
  return mvn([`${plugin}:copy`, `-Dartifact=${coords}`, `-DoutputDirectory=${out}`], log);
}

/** Copy the runtime classpath of the dependencies listed in `pomDir/pom.xml` into `out`. */
export function mvnCopyDependencies(pomDir: string, out: string, log: string): Promise<void> {
  return mvn(
    [`${plugin}:copy-dependencies`, '-DincludeScope=runtime', `-DoutputDirectory=${out}`],
    log,
    pomDir,
  );
}
