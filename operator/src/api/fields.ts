// The record fields every record carries after enrichment, by their dotted paths. Templates
// (index names, key prefixes) may only use these; parsed fields differ per application.

export const RECORD_FIELDS = [
  'kubernetes.namespace',
  'kubernetes.pod',
  'kubernetes.podUid',
  'kubernetes.container',
  'kubernetes.node',
  'kubernetes.image',
  'kubernetes.workload',
  'kubernetes.workloadKind',
  'pipeline',
  'stream',
] as const;

/** Prefixes under which any key is allowed (label and annotation keys). */
export const RECORD_FIELD_MAPS = ['kubernetes.labels.', 'kubernetes.annotations.'] as const;

export function isKnownRecordField(path: string): boolean {
  if ((RECORD_FIELDS as readonly string[]).includes(path)) return true;
  return RECORD_FIELD_MAPS.some((p) => path.startsWith(p) && path.length > p.length);
}

/**
 * Fields no tenant can set: enrichment writes them from the file's path and the node, and record
 * content cannot overwrite them (agent/src/record/serialize.ts). A shared output may route the
 * records of LogPipelines by these; anything else (labels, annotations, pod names, the pipeline's
 * name, parsed fields) is chosen by the tenant that owns the pod or the pipeline.
 */
export const TENANT_SAFE_FIELDS = ['kubernetes.namespace', 'kubernetes.node', 'stream'] as const;

/** The record fields a template's placeholders read (none when it is malformed). */
export function templateFields(template: string | undefined): string[] {
  if (template === undefined) return [];
  const r = parseTemplate(template);
  if ('error' in r) return [];
  return r.parts.flatMap((p) => ('field' in p ? [p.field] : []));
}

/** UTC date directives allowed in templates. */
export const DATE_DIRECTIVES = ['%Y', '%m', '%d', '%H'] as const;

export type TemplatePart = { text: string } | { field: string } | { date: 'Y' | 'm' | 'd' | 'H' };

/** Split `logs-{{ kubernetes.namespace }}-%Y.%m.%d` into parts, or explain why it is malformed. */
export function parseTemplate(template: string): { parts: TemplatePart[] } | { error: string } {
  const parts: TemplatePart[] = [];
  let text = '';
  let i = 0;
  while (i < template.length) {
    if (template.startsWith('{{', i)) {
      const end = template.indexOf('}}', i + 2);
      if (end < 0) return { error: `"{{" at position ${i} is never closed with "}}"` };
      const field = template.slice(i + 2, end).trim();
      if (!field) return { error: `empty placeholder at position ${i}` };
      if (!isKnownRecordField(field)) {
        return {
          error: `unknown field "${field}" in placeholder; templates can use ${RECORD_FIELDS.join(', ')}, kubernetes.labels.KEY and kubernetes.annotations.KEY`,
        };
      }
      if (text) parts.push({ text });
      text = '';
      parts.push({ field });
      i = end + 2;
    } else if (template[i] === '%') {
      const d = template[i + 1];
      if (d === '%') {
        text += '%';
      } else if (d === 'Y' || d === 'm' || d === 'd' || d === 'H') {
        if (text) parts.push({ text });
        text = '';
        parts.push({ date: d });
      } else {
        return { error: `unknown date directive "%${d ?? ''}"; use %Y, %m, %d, %H or %% for a literal %` };
      }
      i += 2;
    } else if (template.startsWith('}}', i)) {
      return { error: `"}}" at position ${i} has no opening "{{"` };
    } else {
      text += template[i];
      i++;
    }
  }
  if (text) parts.push({ text });
  return { parts };
}
