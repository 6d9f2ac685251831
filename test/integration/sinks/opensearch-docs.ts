// Every document of an OpenSearch index (or pattern), read back the way the sink tests, the
// reliability bench and the as-installed e2e count what arrived: search_after over _doc, 10,000 at
// a time, each document's source as JSON text.
import type { Client } from '@opensearch-project/opensearch';

/** Calls `onSource` with each document's source; returns how many there were. */
export async function eachSource(
  os: Client,
  index: string,
  onSource: (json: string) => void,
): Promise<number> {
  let after: unknown[] | undefined;
  let n = 0;
  for (;;) {
    const r = await os.search({
      index,
      body: {
        size: 10_000,
        sort: ['_doc'],
        ...(after ? { search_after: after } : {}),
        query: { match_all: {} },
      },
    } as never);
    const hits = (r.body as { hits: { hits: { _source: unknown; sort: unknown[] }[] } }).hits.hits;
    if (hits.length === 0) return n;
    for (const h of hits) onSource(JSON.stringify(h._source));
    n += hits.length;
    after = hits[hits.length - 1]!.sort;
  }
}
