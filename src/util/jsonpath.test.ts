import { describe, expect, it } from 'vitest';
import { checkJsonPath, selectAll, selectOne, suggestRecordPaths } from './jsonpath.js';

describe('JSONPath', () => {
  const body = {
    type: 'admin.list',
    admins: [{ id: '1' }, { id: '2' }, { id: '3' }],
    pages: { next: null, total_pages: 1 },
    nested: { conversation_parts: { conversation_parts: [{ id: 'p1' }] }, ids: [1, 2, 3, 4, 5] },
    'odd key': [{ a: 1 }, { a: 2 }],
    empty: [],
  };

  it('selects records and metadata', () => {
    expect(selectAll('$.admins[*]', body)).toEqual([{ id: '1' }, { id: '2' }, { id: '3' }]);
    expect(selectAll('$.nope[*]', body)).toEqual([]);
    expect(selectOne('$.pages', body)).toEqual({ next: null, total_pages: 1 });
    expect(selectOne('$.type', body)).toBe('admin.list');
    expect(selectOne('$.nope', body)).toBeNull();
    expect(selectAll('$.admins[*]', undefined)).toEqual([]);
  });

  it('suggests arrays of objects, biggest first, with paths that select them', () => {
    const suggestions = suggestRecordPaths(body);
    expect(suggestions).toEqual([
      { path: '$.admins[*]', records: 3 },
      { path: "$['odd key'][*]", records: 2 },
      { path: '$.nested.conversation_parts.conversation_parts[*]', records: 1 },
    ]);
    for (const s of suggestions) expect(selectAll(s.path, body)).toHaveLength(s.records);
    expect(suggestRecordPaths([{ id: 1 }, { id: 2 }])).toEqual([{ path: '$[*]', records: 2 }]);
    expect(suggestRecordPaths('text')).toEqual([]);
  });

  it('refuses a path that does not start at the root', () => {
    expect(() => checkJsonPath('data[*]', 'config.custom_streams[0].records_path')).toThrow(
      /records_path must start with \$/,
    );
    expect(() => checkJsonPath('$.data[*]', 'x')).not.toThrow();
  });
});
