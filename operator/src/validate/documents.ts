// Read resources from YAML/JSON files, directories and stdin, one entry per document, keeping
// where each came from (file, document number, first line) so every problem can point at it.
// Documents are parsed one by one: a syntax error in one does not hide problems in the next.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as yaml from 'js-yaml';

export interface SourceDoc {
  file: string;
  /** 1-based position of the document in its file. */
  index: number;
  /** 1-based line where the document starts. */
  line: number;
  value?: unknown;
  /** Set when the document could not be read; `value` is then absent. */
  error?: string;
}

const SEPARATOR = /^---(?:[ \t].*)?$|^\.\.\.[ \t]*$/;

export function splitDocuments(text: string, file: string): SourceDoc[] {
  const lines = text.split(/\r?\n/);
  const chunks: Array<{ start: number; lines: string[] }> = [];
  let cur = { start: 1, lines: [] as string[] };
  lines.forEach((l, i) => {
    if (SEPARATOR.test(l)) {
      chunks.push(cur);
      // Content after `--- ` on the same line belongs to the next document.
      const rest = l.startsWith('---') ? l.slice(3).trim() : '';
      cur = { start: i + 2, lines: rest ? [rest] : [] };
      if (rest) cur.start = i + 1;
    } else cur.lines.push(l);
  });
  chunks.push(cur);
  const isBlank = (c: { lines: string[] }) => c.lines.every((l) => /^\s*(#.*)?$/.test(l));
  // A file may open with `---` and end with `---`; those empty ends are not documents.
  while (chunks.length > 1 && isBlank(chunks[0]!)) chunks.shift();
  while (chunks.length > 1 && isBlank(chunks[chunks.length - 1]!)) chunks.pop();

  return chunks.map((c, i): SourceDoc => {
    const doc: SourceDoc = { file, index: i + 1, line: c.start };
    if (isBlank(c)) {
      doc.error = 'empty document; remove the stray "---" separator or add a resource';
      return doc;
    }
    try {
      doc.value = yaml.load(c.lines.join('\n'), { filename: file });
    } catch (err) {
      const e = err as yaml.YAMLException;
      const line = e.mark ? c.start + e.mark.line : c.start;
      doc.error = `YAML syntax error at line ${line}: ${e.reason ?? e.message}`;
    }
    return doc;
  });
}

/** Every document of the given paths: files, directories (recursively, *.yaml *.yml *.json) or `-` for stdin. */
export async function readDocuments(paths: string[], stdin: () => Promise<string>): Promise<SourceDoc[]> {
  const docs: SourceDoc[] = [];
  for (const p of paths) {
    if (p === '-') {
      docs.push(...splitDocuments(await stdin(), '<stdin>'));
      continue;
    }
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      docs.push({ file: p, index: 0, line: 0, error: 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) {
      const files = listManifests(p);
      if (files.length === 0)
        docs.push({ file: p, index: 0, line: 0, error: 'directory holds no .yaml, .yml or .json files' });
      for (const f of files) docs.push(...splitDocuments(readFileSync(f, 'utf8'), f));
    } else {
      docs.push(...splitDocuments(readFileSync(p, 'utf8'), p));
    }
  }
  return docs;
}

function listManifests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listManifests(full));
    else if (/\.(ya?ml|json)$/.test(entry.name)) out.push(full);
  }
  return out;
}

export function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (c: Buffer) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}
