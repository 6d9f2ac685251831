// Name filters and label selectors of the agent config, shared by the inputs that select by them.
import { str, strList } from './schema-parts.ts';

export const nameFilterSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    include: strList('Names to include (exact); empty or absent = all.'),
    exclude: strList('Names to exclude (exact), applied after include.'),
  },
} as const;

export const labelSelectorSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'A Kubernetes label selector evaluated against the pod labels.',
  properties: {
    matchLabels: { type: 'object', additionalProperties: { type: 'string' } },
    matchExpressions: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'operator'],
        properties: {
          key: str('Label key.'),
          operator: { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
          values: { type: 'array', items: { type: 'string' } },
        },
      },
    },
  },
} as const;
