import { describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../../config/source-config.js';
import { readersFor, streamCatalog, streamCatalogFor } from '../registry.js';

const TOKEN = 'reporting-registry-token-1';

describe('reporting streams in the registry', () => {
  it('are added per configured dataset, with key _row_id and cursor _time; none without the key', () => {
    expect([...streamCatalog().keys()].some((name) => name.startsWith('reporting_'))).toBe(false);
    const config = parseSourceConfig({ access_token: TOKEN, reporting_datasets: ['conversation', 'ticket'] }, {});
    const names = readersFor(config).flatMap((r) => r.streams.map((s) => s.name));
    expect(names.filter((n) => n.startsWith('reporting_'))).toEqual(['reporting_conversation', 'reporting_ticket']);
    expect(streamCatalogFor(config).get('reporting_ticket')!.spec).toEqual({
      name: 'reporting_ticket',
      primaryKey: ['_row_id'],
      cursorField: '_time',
    });
  });

  it('refuses a dataset id that would collide with a custom stream', () => {
    const config = parseSourceConfig(
      {
        access_token: TOKEN,
        reporting_datasets: ['x'],
        custom_streams: [{ name: 'reporting_x', path: '/things', records_path: '$.data[*]', primary_key: ['id'] }],
      },
      {},
    );
    expect(() => readersFor(config)).toThrow(
      /reporting_datasets makes a stream 'reporting_x', which a custom stream already is/,
    );
  });

  it('refuses dataset ids that are not plain names', () => {
    expect(() => parseSourceConfig({ access_token: TOKEN, reporting_datasets: ['../admins'] }, {})).toThrow(
      /reporting_datasets/,
    );
  });
});
