import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { specDir } from '../../test/helpers/protocol.js';
import { ConfigError } from '../core/errors.js';
import { parseStateInput } from './state.js';

const example = (name: string): unknown => JSON.parse(readFileSync(`${specDir}protocols/examples/${name}`, 'utf8'));

describe('parseStateInput', () => {
  it('reads the Airbyte per-stream array form', () => {
    expect(Object.fromEntries(parseStateInput(example('airbyte_state_input_per_stream.json')))).toEqual({
      contacts: { updated_at: 1699995000 },
    });
  });

  it('reads the Airbyte legacy object form', () => {
    expect(Object.fromEntries(parseStateInput(example('airbyte_state_input_legacy.json')))).toEqual({
      contacts: { updated_at: 1699995000 },
    });
  });

  it('reads Singer bookmarks', () => {
    const states = parseStateInput(example('singer_state_input.json'));
    expect(states.get('contacts')).toEqual({
      replication_key: 'updated_at',
      replication_key_value: '2023-11-14T19:46:40Z',
    });
  });

  it('reads GLOBAL state and a single state message', () => {
    const global = [
      {
        type: 'GLOBAL',
        global: {
          shared_state: {},
          stream_states: [{ stream_descriptor: { name: 'tickets' }, stream_state: { updated_at: 5 } }],
        },
      },
    ];
    expect(parseStateInput(global).get('tickets')).toEqual({ updated_at: 5 });
    expect(
      parseStateInput({
        type: 'STREAM',
        stream: { stream_descriptor: { name: 'teams' }, stream_state: { updated_at: 7 } },
      }).get('teams'),
    ).toEqual({ updated_at: 7 });
  });

  it.each([
    [[{ type: 'STREAM', stream: {} }], /stream_descriptor\.name/],
    [[{ type: 'WEIRD' }], /STREAM, GLOBAL or LEGACY/],
    [{ contacts: 5 }, /state\.contacts must be an object/],
    ['text', /JSON array of Airbyte state messages or a JSON object/],
  ])('refuses %j with a message naming where', (input, pattern) => {
    expect(() => parseStateInput(input)).toThrow(ConfigError);
    expect(() => parseStateInput(input)).toThrow(pattern);
  });
});
