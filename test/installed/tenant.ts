// A tenant as a platform team makes one: a namespace (Pod Security `baseline`, as a cautious
// platform labels app namespaces), a ServiceAccount bound there to the built-in `edit`
// ClusterRole and nothing else (the chart aggregates the Sluice rights into it), and that
// ServiceAccount's credentials: kubectl with its kubeconfig, and raw API requests with its token,
// so a test reads the apiserver's own status code and reason.
import { request } from 'node:https';
import { type KubeInfo, type ServiceAccountCredentials, serviceAccountCredentials } from '../env/index.ts';
import { Cluster } from './cluster.ts';

export interface ApiResult {
  status: number;
  text: string;
  /** The parsed body (a Status on errors), or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects are read field by field
  body: any;
}

const PLURAL: Record<string, string> = {
  ClusterLogOutput: 'clusterlogoutputs',
  ClusterLogPipeline: 'clusterlogpipelines',
  ConfigMap: 'configmaps',
  Deployment: 'deployments',
  Lease: 'leases',
  LogOutput: 'logoutputs',
  LogPipeline: 'logpipelines',
  Pod: 'pods',
  RoleBinding: 'rolebindings',
  Secret: 'secrets',
  ServiceAccount: 'serviceaccounts',
};

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [field: string]: unknown };
  [field: string]: unknown;
}

/** The API path of an object's collection, or with `name` of the object itself. */
export function apiPath(o: Obj, name?: string): string {
  const group = o.apiVersion === 'v1' ? '/api/v1' : `/apis/${o.apiVersion}`;
  const ns = o.metadata.namespace ? `/namespaces/${o.metadata.namespace}` : '';
  const plural = PLURAL[o.kind];
  if (!plural) throw new Error(`no plural known for ${o.kind}`);
  return `${group}${ns}/${plural}${name ? `/${name}` : ''}`;
}

/** One request to the apiserver with a bearer token. */
export function apiRequest(
  kube: Pick<KubeInfo, 'server' | 'caData'>,
  token: string,
  method: string,
  path: string,
  body?: object,
  contentType = 'application/json',
): Promise<ApiResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${kube.server}${path}`,
      {
        method,
        ca: kube.caData,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': contentType } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

export class Tenant {
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly creds: ServiceAccountCredentials;
  /** kubectl and helm as this tenant. */
  readonly kubectl: Cluster;
  private readonly kube: KubeInfo;

  private constructor(
    kube: KubeInfo,
    namespace: string,
    serviceAccount: string,
    creds: ServiceAccountCredentials,
  ) {
    this.kube = kube;
    this.namespace = namespace;
    this.serviceAccount = serviceAccount;
    this.creds = creds;
    this.kubectl = new Cluster(creds.kubeconfig);
  }

  get user(): string {
    return `system:serviceaccount:${this.namespace}:${this.serviceAccount}`;
  }

  /** The namespace, the ServiceAccount and its RoleBinding to `edit`, made by the cluster admin. */
  static async create(
    admin: Cluster,
    kube: KubeInfo,
    namespace: string,
    serviceAccount: string,
  ): Promise<Tenant> {
    admin.apply(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          {
            apiVersion: 'v1',
            kind: 'Namespace',
            metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } },
          },
          { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace } },
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'RoleBinding',
            metadata: { name: `${serviceAccount}-edit`, namespace },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
            subjects: [{ kind: 'ServiceAccount', name: serviceAccount, namespace }],
          },
        ],
      }),
    );
    const creds = await serviceAccountCredentials(kube, { namespace, name: serviceAccount });
    return new Tenant(kube, namespace, serviceAccount, creds);
  }

  api(method: string, path: string, body?: object, contentType?: string): Promise<ApiResult> {
    return apiRequest(this.kube, this.creds.token, method, path, body, contentType);
  }

  /** Creates an object with strict field validation, as `kubectl apply` asks for. */
  create(o: Obj): Promise<ApiResult> {
    return this.api('POST', `${apiPath(o)}?fieldValidation=Strict`, o);
  }

  /** A JSON merge patch of an object. */
  patch(o: Obj, patch: object): Promise<ApiResult> {
    return this.api('PATCH', apiPath(o, o.metadata.name), patch, 'application/merge-patch+json');
  }

  delete(o: Obj): Promise<ApiResult> {
    return this.api('DELETE', apiPath(o, o.metadata.name));
  }

  /** `kubectl apply` as this tenant; throws with kubectl's output when it fails. */
  apply(objs: object[]): void {
    this.kubectl.must(
      'kubectl',
      ['apply', '-f', '-'],
      JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objs }),
    );
  }
}
