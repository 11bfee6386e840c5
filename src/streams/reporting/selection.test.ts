import { describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../../config/source-config.js';
import { readersFor } from '../registry.js';
import {
  catalogStreamNames,
  datasetsOfNames,
  namedDatasets,
  resolveDatasetsForRead,
  wantsAllDatasets,
} from './selection.js';

const TOKEN = 'reporting-selection-token-7';
const config = (doc: Record<string, unknown> = {}) => parseSourceConfig({ access_token: TOKEN, ...doc }, {});
const reportingStreams = (c: ReturnType<typeof config>): string[] =>
  readersFor(c)
    .flatMap((r) => r.streams.map((s) => s.name))
    .filter((n) => n.startsWith('reporting_'));

describe('which reporting datasets are streams', () => {
  it('defaults to every offered dataset ("*"), which alone makes no stream before it is resolved', () => {
    const c = config();
    expect(c.settings.reporting_datasets).toEqual(['*']);
    expect(wantsAllDatasets(c)).toBe(true);
    expect(namedDatasets(c)).toEqual([]);
    expect(reportingStreams(c)).toEqual([]);
  });

  it('a read resolves "*" to the datasets its catalog names, both catalog formats', () => {
    const airbyte = { streams: [{ stream: { name: 'reporting_ticket' } }, { stream: { name: 'contacts' } }] };
    const singer = { streams: [{ tap_stream_id: 'reporting_conversation', stream: 'reporting_conversation' }] };
    expect(reportingStreams(resolveDatasetsForRead(config(), airbyte))).toEqual(['reporting_ticket']);
    expect(reportingStreams(resolveDatasetsForRead(config(), singer))).toEqual(['reporting_conversation']);
  });

  it('maps output names back through stream_prefix and stream_aliases', () => {
    const c = config({ stream_prefix: 'ic_', stream_aliases: { reporting_conversation: 'conv_metrics' } });
    expect(datasetsOfNames(c, ['ic_conv_metrics', 'ic_reporting_ticket', 'ic_contacts']).sort()).toEqual([
      'conversation',
      'ticket',
    ]);
    // The alias names a reporting stream, so the stream exists even before a catalog names it.
    expect(reportingStreams(c)).toEqual(['reporting_conversation']);
  });

  it('a config that names datasets is left as it is; [] means none', () => {
    const named = config({ reporting_datasets: ['conversation'] });
    expect(resolveDatasetsForRead(named, { streams: [{ stream: { name: 'reporting_ticket' } }] })).toBe(named);
    expect(reportingStreams(named)).toEqual(['reporting_conversation']);
    const none = config({ reporting_datasets: [] });
    expect(wantsAllDatasets(none)).toBe(false);
    expect(reportingStreams(resolveDatasetsForRead(none, { streams: [{ stream: { name: 'reporting_x' } }] }))).toEqual(
      [],
    );
  });

  it('ignores names that are not dataset ids, and catalogs that are not objects', () => {
    expect(datasetsOfNames(config(), ['reporting_../admins', 'reporting_', 'reporting_ok_1'])).toEqual(['ok_1']);
    expect(catalogStreamNames(null)).toEqual([]);
    expect(catalogStreamNames({ streams: 'x' })).toEqual([]);
    expect(catalogStreamNames({ streams: [null, 3, { stream: { name: 7 } }, { tap_stream_id: 'a' }] })).toEqual(['a']);
  });
});
