// kafkajs 2.2.4 against the protocol ranges Kafka 3.9.2 and 4.4.0 announce (ApiVersions answers
// recorded from the brokers of test/env): every API kafkajs implements gets a version the broker
// accepts, including what the agent uses (Produce v7, Metadata v6, InitProducerId v1, SASL), although
// Kafka 4 removed old versions (KIP-896) and kafkajs ignores the broker's minimum. The live brokers
// are checked the same way in test/integration/env-kafka.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { type ApiRanges, kafkajsChoices } from '../integration/kafka-protocol.ts';

const recorded = (v: string): ApiRanges =>
  JSON.parse(readFileSync(new URL(`../fixtures/kafka/api-versions-${v}.json`, import.meta.url), 'utf8'));

const AGENT_APIS = [
  'ApiVersions',
  'Metadata',
  'SaslHandshake',
  'SaslAuthenticate',
  'InitProducerId',
  'Produce',
];

describe('kafkajs protocol versions', () => {
  test.each(['3.9.2', '4.4.0'])('Kafka %s accepts the version kafkajs sends for every API', (v) => {
    const choices = kafkajsChoices(recorded(v));
    expect(choices.filter((c) => !c.ok)).toEqual([]);
    const sends = Object.fromEntries(choices.map((c) => [c.api, c.sends]));
    expect(AGENT_APIS.map((a) => [a, sends[a]])).toEqual([
      ['ApiVersions', 2],
      ['Metadata', 6],
      ['SaslHandshake', 1],
      ['SaslAuthenticate', 1],
      ['InitProducerId', 1],
      ['Produce', 7],
    ]);
  });

  test('Kafka 4.4.0 raised minimums that kafkajs stays above', () => {
    const k4 = Object.fromEntries(kafkajsChoices(recorded('4.4.0')).map((c) => [c.api, c]));
    expect(k4.Fetch).toMatchObject({ broker: { min: 4 }, sends: 11, ok: true });
    expect(k4.ListOffsets).toMatchObject({ broker: { min: 1 }, sends: 3, ok: true });
    expect(k4.OffsetCommit).toMatchObject({ broker: { min: 2 }, sends: 5, ok: true });
    expect(k4.CreateTopics).toMatchObject({ broker: { min: 2 }, sends: 3, ok: true });
  });

  test('a broker whose minimum is above kafkajs’s newest version is flagged', () => {
    const ranges = { ...recorded('4.4.0'), '0': { min: 8, max: 13 } }; // Produce
    const produce = kafkajsChoices(ranges).find((c) => c.api === 'Produce');
    expect(produce).toMatchObject({ kafkajs: { max: 7 }, sends: 7, ok: false });
    const { '3': _metadata, ...noMetadata } = recorded('4.4.0');
    expect(kafkajsChoices(noMetadata).find((c) => c.api === 'Metadata')).toMatchObject({ ok: false });
  });
});
