// The catalogue of the four kinds of sluice.dev/v1alpha1: the single source from which the CRDs,
// TypeScript types, ajv validators and the field reference are generated (`npm run generate`).
import { API_VERSION, GROUP, status, VERSION } from './common.ts';
import type { Schema } from './dsl.ts';
import { clusterLogOutputSpec, logOutputSpec } from './output.ts';
import { clusterLogPipelineSpec, logPipelineSpec } from './pipeline.ts';

export { API_VERSION, GROUP, VERSION };

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date' | 'boolean';
  jsonPath: string;
  description: string;
  priority?: number;
}

export interface KindDef {
  kind: 'LogPipeline' | 'ClusterLogPipeline' | 'LogOutput' | 'ClusterLogOutput';
  plural: string;
  singular: string;
  shortName: string;
  scope: 'Namespaced' | 'Cluster';
  description: string;
  spec: Schema;
  status: Schema;
  printerColumns: PrinterColumn[];
}

const ready: PrinterColumn = {
  name: 'Ready',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].status',
  description: 'Whether the resource is accepted and delivering.',
};
const reason: PrinterColumn = {
  name: 'Reason',
  type: 'string',
  jsonPath: '.status.conditions[?(@.type=="Ready")].reason',
  description: 'Why it is (not) ready.',
  priority: 1,
};
const delivered: PrinterColumn = {
  name: 'Delivered',
  type: 'integer',
  jsonPath: '.status.delivered',
  description: 'Records delivered since the agents started.',
};
const age: PrinterColumn = {
  name: 'Age',
  type: 'date',
  jsonPath: '.metadata.creationTimestamp',
  description: 'Age.',
};

const pipelineColumns: PrinterColumn[] = [
  ready,
  {
    name: 'Agents',
    type: 'string',
    jsonPath: '.status.agentSummary',
    description: 'Agents running this generation / agents wanted.',
  },
  {
    name: 'Outputs',
    type: 'string',
    jsonPath: '.status.outputSummary',
    description: 'Healthy outputs / outputs.',
  },
  delivered,
  age,
  reason,
];
const outputColumns: PrinterColumn[] = [
  ready,
  { name: 'Type', type: 'string', jsonPath: '.status.type', description: 'Destination type.' },
  {
    name: 'Pipelines',
    type: 'integer',
    jsonPath: '.status.pipelines',
    description: 'Pipelines using this output.',
  },
  delivered,
  age,
  reason,
];

export const KINDS: readonly KindDef[] = [
  {
    kind: 'LogPipeline',
    plural: 'logpipelines',
    singular: 'logpipeline',
    shortName: 'lp',
    scope: 'Namespaced',
    description:
      'Collects the container logs of its own namespace, parses and filters them, and sends them to outputs.',
    spec: logPipelineSpec,
    status: status('pipeline'),
    printerColumns: pipelineColumns,
  },
  {
    kind: 'ClusterLogPipeline',
    plural: 'clusterlogpipelines',
    singular: 'clusterlogpipeline',
    shortName: 'clp',
    scope: 'Cluster',
    description: 'Collects container logs of any namespaces and files of the nodes, for platform teams.',
    spec: clusterLogPipelineSpec,
    status: status('pipeline'),
    printerColumns: pipelineColumns,
  },
  {
    kind: 'LogOutput',
    plural: 'logoutputs',
    singular: 'logoutput',
    shortName: 'lo',
    scope: 'Namespaced',
    description: 'A destination (Kafka, OpenSearch, S3, file, stdout) for the LogPipelines of its namespace.',
    spec: logOutputSpec,
    status: status('output'),
    printerColumns: outputColumns,
  },
  {
    kind: 'ClusterLogOutput',
    plural: 'clusterlogoutputs',
    singular: 'clusterlogoutput',
    shortName: 'clo',
    scope: 'Cluster',
    description: 'A destination for ClusterLogPipelines, and for LogPipelines of the namespaces it allows.',
    spec: clusterLogOutputSpec,
    status: status('output'),
    printerColumns: outputColumns,
  },
];

export type KindName = KindDef['kind'];
export const KIND_NAMES = KINDS.map((k) => k.kind);

export function kindDef(kind: string): KindDef | undefined {
  return KINDS.find((k) => k.kind === kind);
}
