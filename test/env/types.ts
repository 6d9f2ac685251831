// The connection details tests get (see index.ts: loadEnv). Plain data, JSON in the state file.

// `node` (a real kubelet + containerd, components/node.ts) starts once `kube` is ready. `kafka` is
// Kafka 3.9 and `kafka4` a current Kafka 4.x, the same single-node KRaft setup with the same
// listeners (KafkaInfo), so a Kafka test can run against either.
export const COMPONENTS = ['kube', 'kafka', 'kafka4', 'opensearch', 's3', 'node'] as const;
export type Component = (typeof COMPONENTS)[number];
export type KafkaComponent = Extract<Component, 'kafka' | 'kafka4'>;

export interface KubeInfo {
  /** https://127.0.0.1:<port> */
  server: string;
  /** CA that signed the apiserver's serving certificate (PEM file, and its content) */
  caFile: string;
  caData: string;
  /** bearer token of `admin` (group system:masters) */
  token: string;
  /** kubeconfig file for the admin token */
  kubeconfig: string;
  /** names of the kwok fake nodes (the real node, if any, is `TestEnv.node.name`) */
  nodes: string[];
  version: string;
}

export interface KafkaInfo {
  /** PLAINTEXT listener, no authentication */
  plaintext: { brokers: string[] };
  /** SASL_SSL listener: SCRAM-SHA-512 over TLS, certificate signed by `caFile` */
  saslSsl: {
    brokers: string[];
    mechanism: 'scram-sha-512';
    username: string;
    password: string;
    caFile: string;
  };
  /**
   * SSL listener with mutual TLS (`ssl.client.auth=required`): a client must present a certificate
   * signed by `caFile`, like `certFile`/`keyFile` (PEM, CN=sluice-client); no SASL.
   */
  mtls: {
    brokers: string[];
    caFile: string;
    certFile: string;
    keyFile: string;
  };
  /**
   * PLAINTEXT listener for pods of the real node: it advertises `10.96.0.2:<port>` (the node's
   * host-services address), so broker addresses from metadata are reachable from a pod. Binds
   * 127.0.0.1 like the others; from the machine itself use `plaintext`.
   */
  pod: { brokers: string[] };
  /** the broker's Kafka version, e.g. 3.9.2 or 4.4.0 */
  version: string;
}

export interface OpenSearchInfo {
  /** OpenSearch itself, plain HTTP, no authentication (the integ-test distribution has no security plugin) */
  url: string;
  /** an HTTPS reverse proxy in front of it that requires HTTP basic auth, certificate signed by `caFile` */
  secure: { url: string; username: string; password: string; caFile: string };
  /**
   * the same proxy on a second port requiring a client certificate signed by `caFile` (like
   * `certFile`/`keyFile`) instead of basic auth: mutual TLS
   */
  mtls: { url: string; caFile: string; certFile: string; keyFile: string };
  version: string;
}

export interface S3Info {
  /** http://127.0.0.1:<port>; path-style addressing */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: true;
}

/**
 * The real node (components/node.ts): a kubelet and containerd registered with the test apiserver.
 * Its pods see the node's /var/log and /var/lib/sluice, which are `varLogDir` and `dataDir` on this
 * machine; they reach the apiserver at 10.96.0.1:443 (in-cluster config works) and every other test
 * server at `hostServices`:<the server's port> (TLS certificates carry that IP).
 */
export interface NodeInfo {
  /** the Node object's name */
  name: string;
  /** its InternalIP (this machine's primary IPv4) */
  ip: string;
  containerdSocket: string;
  /** path of `ctr`; use with `-a <containerdSocket> -n k8s.io` (or importImage() from index.ts) */
  ctr: string;
  /** host directory that is the node's /var/log (pods' logs: pods/<ns>_<pod>_<uid>/<container>/0.log) */
  varLogDir: string;
  /** host directory that is the node's /var/lib/sluice */
  dataDir: string;
  /** host directory that is the node's /var/lib/kubelet */
  kubeletDir: string;
  /** address at which pods reach every test server listening on 127.0.0.1, port for port */
  hostServices: '10.96.0.2';
  /** the pod subnet (a /24 on the node's bridge) */
  podSubnet: string;
  /** images present on the node from the start: the sandbox (pause) image and a busybox for tests */
  images: { pause: string; busybox: string };
}

export interface Tools {
  kubectl: string;
  helm: string;
}

export interface TestEnv {
  runDir: string;
  /** the CA behind every TLS endpoint of the environment */
  caFile: string;
  kube?: KubeInfo;
  /** Kafka 3.9 (component `kafka`) */
  kafka?: KafkaInfo;
  /** a current Kafka 4.x (component `kafka4`), its own cluster, shaped like `kafka` */
  kafka4?: KafkaInfo;
  opensearch?: OpenSearchInfo;
  s3?: S3Info;
  node?: NodeInfo;
  tools?: Tools;
}
