// Index names and object key prefixes: `logs-{{ kubernetes.namespace }}-%Y.%m.%d`. The syntax is
// the API's (operator/src/api/fields.ts validates it); the agent only renders. Dates are the UTC
// date of the record's timestamp, so a retried or re-read record lands in the same place.
import type { EventFields } from './fields.ts';

type Part = { text: string } | { field: string } | { date: 0 | 1 | 2 | 3 };

export interface Template {
  readonly source: string;
  /** Field paths the template reads. */
  readonly fields: string[];
  /** True when rendering needs nothing from the record. */
  readonly constant: boolean;
  render(f: EventFields, missing: string): string;
}

const DATE_DIRECTIVES = 'YmdH';
// Offsets of %Y %m %d %H in `YYYY-MM-DDTHH`.
const DATE_SLICES = [
  [0, 4],
  [5, 7],
  [8, 10],
  [11, 13],
] as const;

export function compileTemplate(source: string): Template {
  const parts: Part[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') parts.push({ text });
    text = '';
  };
  for (let i = 0; i < source.length; ) {
    if (source.startsWith('{{', i)) {
      const end = source.indexOf('}}', i + 2);
      if (end < 0) throw new Error(`template '${source}': "{{" at ${i} is never closed`);
      flush();
      parts.push({ field: source.slice(i + 2, end).trim() });
      i = end + 2;
    } else if (source[i] === '%' && i + 1 < source.length) {
      const d = DATE_DIRECTIVES.indexOf(source[i + 1]);
      if (source[i + 1] === '%') text += '%';
      else if (d >= 0) {
        flush();
        parts.push({ date: d as 0 | 1 | 2 | 3 });
      } else text += source.slice(i, i + 2);
      i += 2;
    } else text += source[i++];
  }
  flush();
  const fields = parts.flatMap((p) => ('field' in p ? [p.field] : []));
  const constant = parts.every((p) => 'text' in p);
  return {
    source,
    fields,
    constant,
    render(f, missing) {
      let out = '';
      let hour: string | undefined;
      for (const p of parts) {
        if ('text' in p) out += p.text;
        else if ('field' in p) out += f.get(p.field) ?? missing;
        else {
          hour ??= f.utcHour();
          const [a, b] = DATE_SLICES[p.date];
          out += hour.slice(a, b);
        }
      }
      return out;
    },
  };
}
