import { describe, expect, test } from '@jest/globals';
import { AGENT_ENV, AGENT_NODE_FLAGS } from '../contract/node-flags.ts';
import { AGENT_COMMANDS, missingAgentEnv, missingAgentFlags } from './node-flags.ts';

describe('the agent V8 flags of `sluice run` / `sluice agent`', () => {
  test('a plain start lacks every flag of contract/node-flags.ts', () => {
    expect(missingAgentFlags([], undefined)).toEqual([...AGENT_NODE_FLAGS]);
    expect(missingAgentFlags(['--enable-source-maps'], '--no-warnings')).toEqual([...AGENT_NODE_FLAGS]);
  });

  test('the image and the DaemonSet (NODE_OPTIONS) need nothing more', () => {
    expect(missingAgentFlags([], AGENT_NODE_FLAGS.join(' '))).toEqual([]);
  });

  test("a user's own value wins, given on the command line or in NODE_OPTIONS, with - or _", () => {
    expect(missingAgentFlags(['--max-old-space-size=1024'], '')).toEqual(
      AGENT_NODE_FLAGS.filter((f) => !f.startsWith('--max-old-space-size')),
    );
    expect(missingAgentFlags([], '--max_semi_space_size=16')).toEqual(
      AGENT_NODE_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size')),
    );
  });

  test('the environment: what is unset is added, a value of the user is kept', () => {
    expect(missingAgentEnv({})).toEqual(AGENT_ENV);
    expect(missingAgentEnv({ ...AGENT_ENV })).toEqual({});
    expect(missingAgentEnv({ MALLOC_ARENA_MAX: '4' })).toEqual({});
  });

  test('only the commands that run the agent', () => {
    expect([...AGENT_COMMANDS].sort()).toEqual(['agent', 'run']);
  });
});
