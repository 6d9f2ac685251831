// Render a kind into an apiextensions.k8s.io/v1 CustomResourceDefinition.
import { GROUP, VERSION } from '../common.ts';
import type { KindDef } from '../kinds.ts';
import { objectSchema } from './object.ts';

export function crdFor(k: KindDef): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${k.plural}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'sluice', 'app.kubernetes.io/part-of': 'sluice' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: k.kind,
        listKind: `${k.kind}List`,
        plural: k.plural,
        singular: k.singular,
        shortNames: [k.shortName],
        categories: ['sluice'],
      },
      scope: k.scope,
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: k.printerColumns,
          schema: { openAPIV3Schema: objectSchema(k, { forCrd: true }) },
        },
      ],
    },
  };
}
