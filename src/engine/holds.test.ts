import { describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import { readersFor } from '../streams/registry.js';

/**
 * The workspace limits the scheduler enforces come from the readers the sync really runs (after
 * the permission wrapper): one companies scroll per app, 5 pending reporting export jobs, one
 * content export.
 */
describe('readers declare the per-workspace resources they hold', () => {
  const config = parseSourceConfig(
    { access_token: 'test-token-not-secret', reporting_datasets: ['conversation', 'ticket'] },
    {},
  );
  const holding = (resource: string) => readersFor(config).filter((r) => r.holds?.resource === resource);

  it('the companies scroll: one reader, one at a time', () => {
    const scroll = holding('companies scroll');
    expect(scroll.map((r) => r.streams[0]!.name)).toEqual(['companies']);
    expect(scroll[0]!.holds!.limit).toBe(1);
  });

  it('every reporting dataset holds one of the 5 pending export jobs; content engagement the one content export', () => {
    const reporting = holding('reporting export jobs');
    expect(reporting).toHaveLength(2);
    for (const r of reporting) expect(r.holds!.limit).toBe(5);
    const content = holding('content export job');
    expect(content.map((r) => r.streams[0]!.name)).toEqual(['content_engagement']);
    expect(content[0]!.holds!.limit).toBe(1);
  });

  it('no other reader claims anything: they all run side by side', () => {
    const claimed = readersFor(config).filter((r) => r.holds);
    expect(claimed).toHaveLength(4);
  });
});
