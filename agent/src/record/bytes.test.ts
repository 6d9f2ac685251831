import { describe, expect, test } from '@jest/globals';
import {
  checkJsonObject,
  escapeJsonBytes,
  JSON_COLLISION,
  JSON_EMPTY,
  JSON_INVALID,
  JSON_SPLICE,
} from './bytes.ts';
import { RESERVED_KEY_BYTES } from './serialize.ts';

const esc = (b: Buffer) => {
  const out = Buffer.alloc(b.length * 6);
  const n = escapeJsonBytes(b, 0, b.length, out, 0);
  return n < 0 ? undefined : out.toString('utf8', 0, n);
};

describe('escapeJsonBytes', () => {
  test.each(['plain', 'quote " and \\ backslash', 'tab\tnl\ncr\r', 'ctl\u0001\u001f', 'utf8 é € 𝄞', ''])(
    '%j',
    (s) => {
      expect(esc(Buffer.from(s))).toBe(JSON.stringify(s).slice(1, -1));
    },
  );
  test.each([[[0xff]], [[0xc3]], [[0xed, 0xa0, 0x80]], [[0xe0, 0x80, 0x80]], [[0xf4, 0x90, 0x80, 0x80]]])(
    'invalid UTF-8 %j is refused',
    (bytes) => {
      expect(esc(Buffer.from(bytes))).toBeUndefined();
    },
  );
});

describe('checkJsonObject', () => {
  const c = (s: string) => checkJsonObject(Buffer.from(s), 0, Buffer.byteLength(s), RESERVED_KEY_BYTES);
  test.each([
    ['{"a":1}', JSON_SPLICE],
    ['{"a":[1,2.5e3,-0.1,true,false,null,{"b":"c\\u00e9\\n"}]}', JSON_SPLICE],
    ['{}', JSON_EMPTY],
    ['{ }', JSON_EMPTY],
    ['{"stream":"x"}', JSON_COLLISION],
    ['{"pipeline":"x"}', JSON_COLLISION],
    ['{"a":{"stream":1}}', JSON_SPLICE],
    ['{"kubernetes.namespace":"victim"}', JSON_COLLISION],
    ['{"a":1,"pipeline.name":"x"}', JSON_COLLISION],
    ['{"kubernetesx.a":1,"kube.x":2,"streams":3,".stream":4}', JSON_SPLICE],
    ['{"a":{"kubernetes.namespace":1}}', JSON_SPLICE],
    ['{"a":1', JSON_INVALID],
    ['{"a":1}x', JSON_INVALID],
    ['{"a":01}', JSON_INVALID],
    ['{"a":"raw\nnewline"}', JSON_INVALID],
    ["{'a':1}", JSON_INVALID],
    ['{"a":1,}', JSON_INVALID],
    ['[1]', JSON_INVALID],
  ])('%s', (s, want) => {
    expect(c(s)).toBe(want);
    if (want === JSON_SPLICE || want === JSON_EMPTY) expect(() => JSON.parse(s)).not.toThrow();
  });
});
