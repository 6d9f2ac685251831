// What tests import: the connection details of the running test environment (written by `up`,
// from `npm run test:env up` or the jest global setup), and helpers built on them.
import { importArchive } from './node/containerd.ts';
import { statePath } from './paths.ts';
import { readState } from './state.ts';
import type {
  Component,
  KafkaComponent,
  KafkaInfo,
  KubeInfo,
  NodeInfo,
  OpenSearchInfo,
  S3Info,
  TestEnv,
  Tools,
} from './types.ts';

export { VERSIONS } from '../../tools/versions.ts';
export {
  appVersion,
  type BuiltImage,
  type BuiltImages,
  buildImages,
  IMAGE_NAMES,
  type ImageName,
  imageRefs,
} from './images/build.ts';
export { busyboxImage, type ImageArchive, pauseImage } from './node/images.ts';
export { type ImageSpec, writeOciArchive } from './node/oci.ts';
export { type StoppedProcess, stopComponentProcess } from './restart.ts';
export type {
  ServiceAccountCredentials,
  ServiceAccountRef,
} from './serviceaccount.ts';
export { adminKubeConfig, kubeConfigFor, serviceAccountCredentials } from './serviceaccount.ts';
export type {
  Component,
  KafkaComponent,
  KafkaInfo,
  KubeInfo,
  NodeInfo,
  OpenSearchInfo,
  S3Info,
  TestEnv,
  Tools,
} from './types.ts';
export { COMPONENTS } from './types.ts';

/** The running environment; throws (telling how to start it) when none is up. */
export function loadEnv(): TestEnv {
  const path = process.env.SLUICE_TESTENV_STATE || statePath();
  const state = readState(path);
  if (!state) {
    throw new Error(
      `no test environment is running (no ${path}): run 'npm run test:env up' or a jest integration/e2e project`,
    );
  }
  return state.env;
}

function need<T>(value: T | undefined, c: Component): T {
  if (value === undefined) {
    throw new Error(
      `the test environment was started without '${c}': run 'npm run test:env up ${c}' or set SLUICE_TESTENV_COMPONENTS`,
    );
  }
  return value;
}

export const kubeEnv = (env: TestEnv = loadEnv()): KubeInfo => need(env.kube, 'kube');
/** Kafka 3.9 (`kafka`), or with `component` the Kafka 4.x broker (`kafka4`): the same shape. */
export const kafkaEnv = (env: TestEnv = loadEnv(), component: KafkaComponent = 'kafka'): KafkaInfo =>
  need(env[component], component);
/** Every Kafka component, for `describe.each(KAFKA_COMPONENTS)`: one run proves each broker version. */
export const KAFKA_COMPONENTS: readonly KafkaComponent[] = ['kafka', 'kafka4'];
export const openSearchEnv = (env: TestEnv = loadEnv()): OpenSearchInfo => need(env.opensearch, 'opensearch');
export const s3Env = (env: TestEnv = loadEnv()): S3Info => need(env.s3, 's3');
export const toolsEnv = (env: TestEnv = loadEnv()): Tools => need(env.tools, 'kube');
export const nodeEnv = (env: TestEnv = loadEnv()): NodeInfo => need(env.node, 'node');

/**
 * Imports an image archive (OCI image layout tar, e.g. from writeOciArchive, or `docker save`
 * output) into the real node's containerd (namespace k8s.io), named as the archive says
 * (`io.containerd.image.name` annotation, or the docker RepoTags). Pods then use that reference
 * with imagePullPolicy IfNotPresent or Never: the node reaches no registry.
 */
export async function importImage(archivePath: string, env: TestEnv = loadEnv()): Promise<void> {
  await importArchive(nodeEnv(env).containerdSocket, archivePath);
}
