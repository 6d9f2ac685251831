// `sluice tap`: watch live records of a pipeline, as its outputs receive them (after the filters
// and redaction), merged from every agent that runs it.
import { parseArgs } from 'node:util';
import { type Command, EXIT } from '../command.ts';
import type { StreamResult, TapSource } from '../tap/stream.ts';

const help = `usage: sluice tap -n NAMESPACE NAME        a LogPipeline, through the cluster's agents
       sluice tap --cluster NAME              a ClusterLogPipeline
       sluice tap --agent URL PIPELINE        one agent directly, e.g. \`sluice run --http-port\`

Print the records of a pipeline as they pass to its outputs (after its filters: redacted values
stay redacted), one NDJSON record per line, prefixed with the node. In a cluster the agent pods
(--agent-namespace) are reached through the apiserver (pods/proxy) with your kubeconfig. The
agents never see your kubeconfig's credential: the CLI mints a 10-minute ServiceAccount token for
the audience sluice.dev/tap (TokenRequest) — of your own ServiceAccount when your kubeconfig user
is one, else of --service-account — and each agent checks that this ServiceAccount may 'get'
logpipelines/tap in the pipeline's namespace (clusterlogpipelines/tap for a cluster pipeline). Records a slow reader misses are counted and
reported on stderr; the pipeline itself never waits for a tap.

PIPELINE (with --agent): NAMESPACE/NAME, or an id: LogPipeline/NS/NAME, ClusterLogPipeline/NAME.

options:
  -n, --namespace NS        namespace of the LogPipeline
      --cluster             NAME is a ClusterLogPipeline
      --limit N             stop after N records in all (default: until interrupted)
      --sample N            keep one record in N on each agent (default 1: all)
      --raw                 records only, without the node prefix (e.g. for jq)
      --agent URL           an agent's HTTP endpoint (repeatable); no cluster involved
      --agent-namespace NS  namespace of the agent pods (default sluice-system)
      --selector SEL        label selector of the agent pods (default ${'app.kubernetes.io/name=sluice,app.kubernetes.io/component=agent'})
      --port N              the agents' tap port (default: their 'tap' container port, else
                            their 'metrics' one, else 2020)
      --context NAME        kubeconfig context
      --service-account SA  the ServiceAccount (NAME in the pipeline's namespace, or NS/NAME)
                            whose token for the tap audience the CLI mints and shows the
                            agents; needs create serviceaccounts/token on it (namespace edit)
      --token TOKEN         a token to show the agents instead of minting one (also
                            SLUICE_TAP_TOKEN): for the audience sluice.dev/tap, e.g. from
                            \`kubectl create token SA --audience sluice.dev/tap --duration 10m\`
  -h, --help                show this help

exit status: 0 the limit was reached, the streams ended, were interrupted or the reader of the
output went away (e.g. \`| head\`); 1 the pipeline
was not found, you may not tap it, or no agent could be reached; 2 usage errors.
`;

function resolveTarget(
  positional: string[],
  ns: string | undefined,
  cluster: boolean,
  direct: boolean,
): { id: string; kind: string; namespace?: string; name: string } | string {
  if (positional.length !== 1) return 'exactly one pipeline name is required';
  const arg = positional[0];
  const ident = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  if (cluster) {
    if (ns !== undefined) return '--cluster and -n exclude each other';
    if (!ident.test(arg)) return `invalid pipeline name '${arg}'`;
    return { id: `ClusterLogPipeline/${arg}`, kind: 'ClusterLogPipeline', name: arg };
  }
  if (ns !== undefined) {
    if (!ident.test(arg) || !ident.test(ns)) return `invalid namespace or name '${ns}/${arg}'`;
    return { id: `LogPipeline/${ns}/${arg}`, kind: 'LogPipeline', namespace: ns, name: arg };
  }
  const parts = arg.split('/');
  if (parts[0] === 'LogPipeline' && parts.length === 3)
    return { id: arg, kind: 'LogPipeline', namespace: parts[1], name: parts[2] };
  if (parts[0] === 'ClusterLogPipeline' && parts.length === 2)
    return { id: arg, kind: 'ClusterLogPipeline', name: parts[1] };
  if (parts.length === 2 && parts.every((p) => ident.test(p)))
    return { id: `LogPipeline/${arg}`, kind: 'LogPipeline', namespace: parts[0], name: parts[1] };
  return direct
    ? `PIPELINE must be NAMESPACE/NAME, LogPipeline/NS/NAME or ClusterLogPipeline/NAME, got '${arg}'`
    : 'give -n NAMESPACE NAME, or --cluster NAME';
}

/** What went wrong when no stream delivered, most specific first. */
function failureMessage(id: string, results: StreamResult[]): string {
  const bad = results.filter((r) => !r.ok) as Extract<StreamResult, { ok: false }>[];
  const pick = (p: (r: (typeof bad)[number]) => boolean) => bad.find(p);
  const denied = pick((r) => r.from === 'agent' && (r.status === 401 || r.status === 403));
  if (denied !== undefined) return `not allowed: ${denied.message}`;
  const proxy = pick((r) => r.from === 'apiserver' && r.status === 403);
  if (proxy !== undefined)
    return `you may not reach the agents through the apiserver: ${proxy.message} (tapping needs 'get pods/proxy' in the agent namespace; see docs/security.md)`;
  if (bad.length > 0 && bad.every((r) => r.from === 'agent' && r.status === 404))
    return `pipeline ${id} not found on any agent: is it applied and Accepted? (kubectl get logpipelines -A)`;
  return `no agent could be reached: ${bad.map((r) => r.message).join('; ')}`;
}

export const command: Command = {
  summary: 'watch live records of a pipeline',
  async run(argv) {
    let values: Record<string, string | string[] | boolean | undefined>;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          namespace: { type: 'string', short: 'n' },
          cluster: { type: 'boolean' },
          limit: { type: 'string' },
          sample: { type: 'string' },
          raw: { type: 'boolean' },
          agent: { type: 'string', multiple: true },
          'agent-namespace': { type: 'string' },
          selector: { type: 'string' },
          port: { type: 'string' },
          context: { type: 'string' },
          token: { type: 'string' },
          'service-account': { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      }));
    } catch (e) {
      process.stderr.write(`sluice tap: ${(e as Error).message}\n\n${help}`);
      return EXIT.usage;
    }
    if (values.help) {
      process.stdout.write(help);
      return EXIT.ok;
    }
    const usage = (m: string) => {
      process.stderr.write(`sluice tap: ${m}\n\n${help}`);
      return EXIT.usage;
    };
    const int = (v: unknown, min: number) =>
      v === undefined ? undefined : Number.isInteger(Number(v)) && Number(v) >= min ? Number(v) : Number.NaN;
    const limit = int(values.limit, 1);
    const sample = int(values.sample, 1);
    const port = int(values.port, 1);
    if (Number.isNaN(limit) || Number.isNaN(sample) || Number.isNaN(port))
      return usage('--limit, --sample and --port take positive integers');
    const agents = values.agent as string[] | undefined;
    const target = resolveTarget(
      positionals,
      values.namespace as string | undefined,
      values.cluster === true,
      agents !== undefined,
    );
    if (typeof target === 'string') return usage(target);
    const token = (values.token as string | undefined) ?? process.env.SLUICE_TAP_TOKEN;
    const query = new URLSearchParams({
      pipeline: target.id,
      ...(limit !== undefined ? { limit: String(limit) } : {}),
      ...(sample !== undefined ? { sample: String(sample) } : {}),
    }).toString();

    let sources: TapSource[];
    if (agents !== undefined) {
      for (const a of agents) if (!/^https?:\/\//.test(a)) return usage(`--agent takes a URL, got '${a}'`);
      sources = agents.map((a) => ({
        label: new URL(a).host,
        url: `${a.replace(/\/+$/, '')}/tap?${query}`,
        options: token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } },
      }));
    } else {
      const kube = await import('../tap/kube.ts');
      let kc: Awaited<ReturnType<typeof kube.loadKubeConfig>>;
      try {
        kc = await kube.loadKubeConfig(values.context as string | undefined);
      } catch (e) {
        process.stderr.write(`sluice tap: cannot load a kubeconfig: ${(e as Error).message}\n`);
        return EXIT.invalid;
      }
      if ((await kube.pipelineExists(kc, target)) === false) {
        const where = target.namespace === undefined ? '' : ` in namespace ${target.namespace}`;
        process.stderr.write(`sluice tap: ${target.kind} ${target.name} not found${where}\n`);
        return EXIT.invalid;
      }
      let shown = token;
      if (shown === undefined) {
        const { parseServiceAccount, tapCredential } = await import('../tap/credential.ts');
        const saArg = values['service-account'] as string | undefined;
        const sa = saArg === undefined ? undefined : parseServiceAccount(saArg, target.namespace);
        if (typeof sa === 'string') return usage(sa);
        const c = await tapCredential(kc, { serviceAccount: sa, namespace: target.namespace });
        if (!c.ok) {
          process.stderr.write(`sluice tap: ${c.message}\n`);
          return EXIT.invalid;
        }
        shown = c.token;
      }
      const d = await kube.discoverAgents(kc, {
        namespace: (values['agent-namespace'] as string | undefined) ?? 'sluice-system',
        selector: (values.selector as string | undefined) ?? kube.AGENT_SELECTOR,
        port,
        token: shown,
        query,
      });
      if (!d.ok) {
        process.stderr.write(`sluice tap: ${d.message}\n`);
        return EXIT.invalid;
      }
      sources = d.sources;
    }

    const prefix = values.raw !== true && (agents === undefined || sources.length > 1);
    const { openStream } = await import('../tap/stream.ts');
    let printed = 0;
    const streams: ReturnType<typeof openStream>[] = [];
    const stopAll = () => {
      for (const s of streams) s.cancel();
    };
    // Backpressure: when stdout is full (a slow reader at the other end of a pipe), stop reading
    // the agents until it drains, so memory stays bounded; the agents then drop what this reader
    // misses and say how many (reported below). A reader that went away (`| head`) ends the tap.
    let held = false;
    let outputClosed = false;
    const write = (text: string) => {
      if (outputClosed || process.stdout.write(text) || held) return;
      held = true;
      for (const s of streams) s.pause();
      process.stdout.once('drain', () => {
        held = false;
        for (const s of streams) s.resume();
      });
    };
    let outputError: Error | undefined;
    const onOutputError = (e: NodeJS.ErrnoException) => {
      outputClosed = true;
      if (e.code !== 'EPIPE') outputError = e;
      stopAll();
    };
    process.stdout.on('error', onOutputError);
    let started = 0;
    for (const src of sources)
      streams.push(
        openStream(src, {
          onStart: () => {
            started++;
          },
          onRecord: (node, line) => {
            if (limit !== undefined && printed >= limit) return;
            printed++;
            write(prefix ? `${node} ${line}\n` : `${line}\n`);
            if (limit !== undefined && printed >= limit) stopAll();
          },
          onMissed: (node, n) =>
            process.stderr.write(`sluice tap: ${node}: missed ${n} records (this reader was too slow)\n`),
        }),
      );
    const onSignal = () => stopAll();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const results = await Promise.all(streams.map((s) => s.done));
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (outputClosed) {
      if (outputError === undefined) return EXIT.ok; // the reader had enough (`| head`): quietly
      process.stderr.write(`sluice tap: cannot write the records: ${outputError.message}\n`);
      return EXIT.invalid;
    }
    const missed = results.reduce((n, r) => n + (r.ok ? r.missed : 0), 0);
    if (missed > 0) process.stderr.write(`sluice tap: ${missed} records missed in all\n`);
    const failed = results.filter((r) => !r.ok);
    if (started === 0 && failed.length > 0) {
      process.stderr.write(`sluice tap: ${failureMessage(target.id, results)}\n`);
      return EXIT.invalid;
    }
    for (const [i, r] of results.entries())
      if (!r.ok) process.stderr.write(`sluice tap: ${sources[i].label}: ${r.message}\n`);
    return EXIT.ok;
  },
};
