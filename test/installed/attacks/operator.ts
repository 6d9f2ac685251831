// Attacks the operator refuses: the resource is admitted, and its Accepted condition says why
// it does not run.
import { expect } from '@jest/globals';
import { until } from '../cluster.ts';
import { condition, MIN } from '../install.ts';
import {
  type Attack,
  CAPS,
  c,
  createRefused,
  EVIL,
  fromPods,
  kafkaTo,
  lo,
  lp,
  os,
  RUN,
  RUNNING,
  refusedBy,
  S,
  s3env,
  toOut,
  VICTIM,
} from './scene.ts';

const s3NoCredentials = () =>
  lo(EVIL, 'borrowed-s3', {
    s3: {
      bucket: `b-${RUN}`,
      region: s3env.region,
      endpoint: fromPods(s3env.endpoint),
      forcePathStyle: true,
    },
  });

interface WithName {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string; reason: string; message: string }[] };
}

/** Refused by the operator: a condition on the attacker's object says why. */
export const OPERATOR: Attack[] = [
  {
    name: "send to the victim's LogOutput by its name",
    refusal: 'OutputNotFound (references resolve in the namespace)',
    run: async () => {
      const m = await createRefused(
        [lp(EVIL, 'to-victim', { outputs: [{ name: 'own' }] })],
        'OutputNotFound',
      );
      expect(m.message).toContain(`LogOutput/${EVIL}/own`);
    },
  },
  {
    name: "use the victim's Secret by its name",
    refusal: 'ReferencedSecretMissing (Secrets resolve in the namespace)',
    run: async () => {
      const m = await createRefused(
        [
          lo(EVIL, 'stolen-keys', {
            s3: {
              bucket: `b-${RUN}`,
              region: s3env.region,
              endpoint: fromPods(s3env.endpoint),
              forcePathStyle: true,
              credentials: {
                accessKeyId: { name: 'archive-keys', key: 'id' },
                secretAccessKey: { name: 'archive-keys', key: 'secret' },
              },
            },
          }),
        ],
        'ReferencedSecretMissing',
      );
      expect(m.message).toContain(`${EVIL}/archive-keys`);
    },
  },
  {
    name: 'use a ClusterLogOutput that does not admit its namespace',
    refusal: 'OutputNotAllowed',
    run: async () => {
      const m = await createRefused(
        [lp(EVIL, 'platform', { outputs: [{ name: `platform-only-${RUN}`, kind: 'ClusterLogOutput' }] })],
        'OutputNotAllowed',
      );
      expect(m.message).toContain(`platform-only-${RUN}`);
    },
  },
  {
    name: "write into another tenant's topic through a shared output routed by a parsed field",
    refusal: 'OutputNotAllowed (routing by a field tenants set)',
    run: async () => {
      const m = await createRefused(
        [lp(EVIL, 'by-team', { outputs: [{ name: `by-team-${RUN}`, kind: 'ClusterLogOutput' }] })],
        'OutputNotAllowed',
      );
      expect(m.message).toContain('picks the destination from "team", a value tenants set');
    },
  },
  {
    name: "write into another tenant's index through a shared output routed by a pod label",
    refusal: 'OutputNotAllowed (routing by a field tenants set)',
    run: async () => {
      const m = await createRefused(
        [lp(EVIL, 'by-label', { outputs: [{ name: `by-label-${RUN}`, kind: 'ClusterLogOutput' }] })],
        'OutputNotAllowed',
      );
      expect(m.message).toContain('picks the destination from "kubernetes.labels.team", a value tenants set');
    },
  },
  {
    name: "S3 without credentials (the agent's cloud identity)",
    refusal: 'AgentIdentityNotAllowed, on the output and the pipeline naming it',
    run: async () => {
      const pipe = lp(EVIL, 'borrowed', { outputs: [{ name: 'borrowed-s3' }] });
      const m = await createRefused([s3NoCredentials(), pipe], 'AgentIdentityNotAllowed');
      expect(m.message).toContain('sluice.dev/agent-identity');
    },
  },
  {
    name: 'OpenSearch signed with awsSigV4 (the agent’s cloud identity)',
    refusal: 'AgentIdentityNotAllowed',
    run: async () => {
      await createRefused(
        [
          lo(EVIL, 'sigv4', {
            opensearch: {
              endpoints: [fromPods(os.secure.url)],
              auth: { awsSigV4: { region: 'eu-west-1', service: 'es' } },
            },
          }),
        ],
        'AgentIdentityNotAllowed',
      );
    },
  },
  {
    name: 'scan ports through an output’s status: a Kafka broker at the apiserver 10.96.0.1:443',
    refusal: 'DestinationNotAllowed; the output is not run, its status has no error to read',
    run: async () => {
      const m = await createRefused(
        [lo(EVIL, 'scan', kafkaTo('x', { brokers: ['10.96.0.1:443'] }))],
        'DestinationNotAllowed',
        (o) => expect([o.status.lastError, o.status.delivered]).toEqual([undefined, 0]),
      );
      expect(m.message).toContain('sends to 10.96.0.1:443 (spec.kafka.brokers[0])');
    },
  },
  {
    name: 'an OpenSearch endpoint at the cloud metadata address 169.254.169.254',
    refusal: 'DestinationNotAllowed',
    run: async () => {
      const m = await createRefused(
        [lo(EVIL, 'metadata', { opensearch: { endpoints: ['http://169.254.169.254:80'] } })],
        'DestinationNotAllowed',
      );
      expect(m.message).toContain('169.254.169.254');
      expect(m.message).toContain('tenancy allowedDestinations');
    },
  },
  {
    name: 'a 1Ti memory buffer',
    refusal: 'OverNamespaceCap (maxBufferBytes)',
    run: async () => {
      const m = await createRefused(
        [lo(EVIL, 'huge', { stdout: {}, buffer: { maxSize: '1Ti' } })],
        'OverNamespaceCap',
      );
      expect(m.message).toContain(`may buffer 16Mi in memory (tenancy cap maxBufferBytes)`);
    },
  },
  {
    name: 'a 1Ti disk buffer',
    refusal: 'OverNamespaceCap (maxDiskBufferBytes)',
    run: async () => {
      const m = await createRefused(
        [lo(EVIL, 'huge-disk', { stdout: {}, buffer: { type: 'disk', maxSize: '1Ti' } })],
        'OverNamespaceCap',
      );
      expect(m.message).toContain('may buffer 256Mi on disk (tenancy cap maxDiskBufferBytes)');
    },
  },
  {
    name: 'a file output writing outside its directory (../)',
    refusal: 'InvalidSpec (path must stay inside the output directory)',
    run: async () => {
      const m = await createRefused(
        [lo(EVIL, 'escape', { file: { path: `../${VICTIM}/x.ndjson` } })],
        'InvalidSpec',
      );
      expect(m.message).toContain('must stay inside the output directory');
    },
  },
  ...(
    [
      ['parse.regex', { parse: { format: 'regex', regex: '^(?<a>\\w+) \\1$' } }, 'backreference'],
      ['matches', { filters: [{ drop: { when: { field: 'message', matches: 'a(?=b)' } } }] }, 'lookahead'],
      [
        'multiline.startPattern',
        { parse: { multiline: { type: 'custom', startPattern: '^[0-9]{32}' } } },
        'repeats 32 times in a counted repetition',
      ],
      [
        'redact.custom',
        { filters: [{ redact: { custom: [{ name: 'x', regex: '(?i:secret)' }] } }] },
        'inline modifier',
      ],
    ] as const
  ).map(
    ([field, spec, says]): Attack => ({
      name: `a pattern the linear-time engine cannot run in ${field}`,
      refusal: `InvalidSpec naming the field (${says})`,
      run: async () => {
        const m = await createRefused(
          [lp(EVIL, `bad-${field.replace(/\W/g, '-').toLowerCase()}`, { ...spec, outputs: toOut })],
          'InvalidSpec',
        );
        expect(m.message).toContain(says);
      },
    }),
  ),
  {
    name: 'too many LogPipelines',
    refusal: 'OverNamespaceCap (maxPipelines); the running ones keep running',
    run: async () => {
      // more than the cap on top of those the namespace has: the newest are refused. Names that
      // sort in creation order: resources of the same second are ordered by name.
      const more = Array.from({ length: CAPS.maxPipelines + 1 }, (_, i) =>
        lp(EVIL, `many-${String(i).padStart(2, '0')}`, { outputs: toOut }),
      );
      try {
        for (const p of more) expect((await S.evil.create(p)).status).toBe(201);
        const m = await refusedBy('LogPipeline', more[more.length - 1]!.metadata.name, 'OverNamespaceCap');
        expect(m.message).toMatch(
          new RegExp(
            `^namespace "${EVIL}" may have ${CAPS.maxPipelines} LogPipelines \\(tenancy cap maxPipelines\\) and has \\d+;`,
          ),
        );
        // once the operator has decided on every one of them: exactly the cap runs
        const decided = await until(
          'an Accepted condition on every pipeline of the namespace',
          2 * MIN,
          () => {
            const items: WithName[] = c.get('logpipelines', '-n', EVIL).items;
            return items.every((p) => condition(p, 'Accepted') !== undefined) ? items : undefined;
          },
        );
        const accepted = decided
          .filter((p) => condition(p, 'Accepted')?.status === 'True')
          .map((p) => p.metadata.name);
        const refused = decided.filter((p) => condition(p, 'Accepted')?.reason === 'OverNamespaceCap');
        expect([accepted.length, refused.length]).toEqual([
          CAPS.maxPipelines,
          decided.length - CAPS.maxPipelines,
        ]);
        // the ones that ran before keep running
        expect(accepted).toEqual(expect.arrayContaining(RUNNING));
      } finally {
        for (const p of more) await S.evil.delete(p);
      }
    },
  },
  {
    name: 'too many LogOutputs',
    refusal: 'OverNamespaceCap (maxOutputs)',
    run: async () => {
      const more = Array.from({ length: CAPS.maxOutputs + 1 }, (_, i) =>
        lo(EVIL, `many-${String(i).padStart(2, '0')}`, { stdout: {}, buffer: { maxSize: '64Ki' } }),
      );
      try {
        for (const o of more) expect((await S.evil.create(o)).status).toBe(201);
        const m = await refusedBy('LogOutput', more[more.length - 1]!.metadata.name, 'OverNamespaceCap');
        expect(m.message).toMatch(
          new RegExp(
            `^namespace "${EVIL}" may have ${CAPS.maxOutputs} LogOutputs \\(tenancy cap maxOutputs\\) and has \\d+;`,
          ),
        );
        expect(condition(c.get('logoutput', '-n', EVIL, 'out'), 'Accepted')?.status).toBe('True');
      } finally {
        for (const o of more) await S.evil.delete(o);
      }
    },
  },
];
