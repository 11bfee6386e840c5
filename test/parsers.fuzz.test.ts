import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../src/config/source-config.js';
import { ConfigError } from '../src/core/errors.js';
import { parseConfiguredAirbyteCatalog, parseSingerCatalog } from '../src/protocol/catalog.js';
import { cursorOf } from '../src/core/cursor.js';
import { parseStateInput } from '../src/engine/state.js';

/**
 * Property tests: whatever JSON a user or orchestrator hands us, the parsers either accept it or
 * throw a ConfigError with a message — never a TypeError, never a crash, never the token.
 */
const SECRET = 'fuzz-secret-token-0011223344';

function onlyConfigErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    expect(err.message.length).toBeGreaterThan(10);
    expect(err.message).not.toContain(SECRET);
  }
}

const jsonish = fc.jsonValue({ maxDepth: 4 });

describe('parsers never crash on arbitrary JSON', () => {
  it('parseSourceConfig', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          jsonish,
          fc.dictionary(
            fc.constantFrom(
              'access_token',
              'region',
              'base_url',
              'start_date',
              'api_version',
              'max_concurrency',
              'credentials',
              'lookback_window_minutes',
            ),
            jsonish,
          ),
        ),
        (input) => {
          const withToken =
            input && typeof input === 'object' && !Array.isArray(input) ? { ...input, access_token: SECRET } : input;
          onlyConfigErrors(() => parseSourceConfig(withToken, {}));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('parseStateInput and cursorOf', () => {
    const stateLike = fc.oneof(
      jsonish,
      fc.array(
        fc.record(
          { type: fc.constantFrom('STREAM', 'GLOBAL', 'LEGACY', 'X'), stream: jsonish, global: jsonish, data: jsonish },
          { requiredKeys: ['type'] },
        ),
      ),
      fc.dictionary(
        fc.string(),
        fc.dictionary(fc.constantFrom('updated_at', 'created_at', 'replication_key_value'), jsonish),
      ),
    );
    fc.assert(
      fc.property(stateLike, (input) => {
        onlyConfigErrors(() => {
          const states = parseStateInput(input);
          for (const [name, state] of states) {
            const cursor = cursorOf(state, 'updated_at', name);
            if (cursor !== undefined) expect(Number.isFinite(cursor)).toBe(true);
          }
        });
      }),
      { numRuns: 400 },
    );
  });

  it('parseConfiguredAirbyteCatalog and parseSingerCatalog', () => {
    const entry = fc.record({
      stream: fc.oneof(
        jsonish,
        fc.record({ name: fc.constantFrom('contacts', 'admins', 'nope', ''), json_schema: jsonish }),
      ),
      sync_mode: fc.constantFrom('full_refresh', 'incremental', 'weird', undefined),
      cursor_field: fc.oneof(fc.constant(undefined), fc.array(fc.constantFrom('updated_at', 'created_at', 'x'))),
      tap_stream_id: fc.constantFrom('contacts', 'teams', 'zzz'),
      metadata: fc.array(
        fc.record({
          breadcrumb: fc.oneof(fc.constant([]), fc.array(fc.string())),
          metadata: fc.dictionary(fc.constantFrom('selected', 'replication-method', 'replication-key'), jsonish),
        }),
      ),
    });
    fc.assert(
      fc.property(fc.oneof(jsonish, fc.record({ streams: fc.array(entry, { maxLength: 4 }) })), (input) => {
        onlyConfigErrors(() => parseConfiguredAirbyteCatalog(input));
        onlyConfigErrors(() => parseSingerCatalog(input));
      }),
      { numRuns: 400 },
    );
  });
});
