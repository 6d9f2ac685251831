// The connection details tests get (see index.ts: loadEnv). Plain data, JSON in the state file.

export const COMPONENTS = ['kube', 'kafka', 'opensearch', 's3'] as const;
export type Component = (typeof COMPONENTS)[number];

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
  /** names of the kwok fake nodes */
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

export interface Tools {
  kubectl: string;
  helm: string;
}

export interface TestEnv {
  runDir: string;
  /** the CA behind every TLS endpoint of the environment */
  caFile: string;
  kube?: KubeInfo;
  kafka?: KafkaInfo;
  opensearch?: OpenSearchInfo;
  s3?: S3Info;
  tools?: Tools;
}
