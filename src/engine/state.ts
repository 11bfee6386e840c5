import { ConfigError } from '../core/errors.js';
import type { JsonObject } from '../core/events.js';

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads a state file in any shape an orchestrator hands us: Airbyte per-stream or global state
 * (an array of AirbyteStateMessage), Airbyte legacy state (a plain object keyed by stream), or
 * Singer/Meltano state (`{"bookmarks": {...}}`). Returns the state of each stream by name.
 */
export function parseStateInput(input: unknown): Map<string, JsonObject> {
  const states = new Map<string, JsonObject>();
  if (input === null || input === undefined) return states;
  if (Array.isArray(input)) {
    input.forEach((message, i) => {
      if (!isObject(message)) throw new ConfigError(`state[${i}] must be an AirbyteStateMessage object.`);
      const type = message.type ?? (message.stream ? 'STREAM' : message.data ? 'LEGACY' : undefined);
      if (type === 'STREAM') {
        const stream = message.stream;
        const name = isObject(stream) && isObject(stream.stream_descriptor) ? stream.stream_descriptor.name : undefined;
        if (typeof name !== 'string')
          throw new ConfigError(
            `state[${i}].stream.stream_descriptor.name is missing; expected a per-stream AirbyteStateMessage.`,
          );
        const value = (stream as JsonObject).stream_state;
        if (value !== undefined && value !== null)
          states.set(name, expectObject(value, `state[${i}].stream.stream_state`));
      } else if (type === 'GLOBAL') {
        const global = message.global;
        const streamStates = isObject(global) && Array.isArray(global.stream_states) ? global.stream_states : undefined;
        if (!streamStates) throw new ConfigError(`state[${i}].global.stream_states must be an array.`);
        streamStates.forEach((s: unknown, j: number) => {
          const name = isObject(s) && isObject(s.stream_descriptor) ? s.stream_descriptor.name : undefined;
          if (typeof name !== 'string')
            throw new ConfigError(`state[${i}].global.stream_states[${j}].stream_descriptor.name is missing.`);
          const value = (s as JsonObject).stream_state;
          if (value !== undefined && value !== null)
            states.set(name, expectObject(value, `state[${i}].global.stream_states[${j}].stream_state`));
        });
      } else if (type === 'LEGACY') {
        for (const [name, value] of Object.entries(expectObject(message.data, `state[${i}].data`)))
          states.set(name, expectObject(value, `state[${i}].data.${name}`));
      } else {
        throw new ConfigError(
          `state[${i}].type must be STREAM, GLOBAL or LEGACY (got ${JSON.stringify(message.type)}).`,
        );
      }
    });
    return states;
  }
  if (!isObject(input))
    throw new ConfigError('The state must be a JSON array of Airbyte state messages or a JSON object.');
  // A single Airbyte state message written to a file on its own.
  if (input.type === 'STREAM' || input.type === 'GLOBAL' || input.type === 'LEGACY') return parseStateInput([input]);
  const streams = isObject(input.bookmarks) ? input.bookmarks : input;
  for (const [name, value] of Object.entries(streams)) {
    if (name === 'currently_syncing') continue;
    states.set(name, expectObject(value, `state.${isObject(input.bookmarks) ? 'bookmarks.' : ''}${name}`));
  }
  return states;
}

function expectObject(value: unknown, where: string): JsonObject {
  if (!isObject(value))
    throw new ConfigError(
      `${where} must be an object such as {"updated_at": 1700000000} (got ${JSON.stringify(value)}).`,
    );
  return value;
}
