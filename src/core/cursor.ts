import { ConfigError } from './errors.js';
import type { JsonObject } from './events.js';

/**
 * The cursor value (Unix seconds) of a stream's state. Accepts the current shape
 * `{<cursor>: seconds}`, ISO strings, milliseconds, and Meltano SDK bookmarks
 * (`replication_key_value`), so states written by older versions or other taps still resume.
 */
export function cursorOf(state: JsonObject | undefined, cursorField: string, stream: string): number | undefined {
  if (!state) return undefined;
  const raw = state[cursorField] ?? state.replication_key_value;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw > 1e11 ? Math.floor(raw / 1000) : Math.floor(raw);
  if (typeof raw === 'string') {
    if (/^\d+$/.test(raw)) return cursorOf({ [cursorField]: Number(raw) }, cursorField, stream);
    const ms = Date.parse(raw);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  throw new ConfigError(
    `The state of stream '${stream}' has an unreadable ${cursorField} cursor ${JSON.stringify(raw)}; expected Unix seconds. Fix or remove that stream's state to re-sync it.`,
  );
}
