import { PassThrough } from 'node:stream';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  assertAirbyteMessage,
  assertSingerMessage,
  singerCatalogErrors,
  validateAirbyteDefinition,
} from '../../test/helpers/protocol.js';
import { BIN, writeJsonFiles } from '../../test/helpers/run-cli.js';
import { streamCatalog } from '../streams/registry.js';
import { airbyteCli } from './airbyte-cli.js';
import { aboutInfo, singerCli } from './singer-cli.js';

async function runInProcess(
  cli: typeof airbyteCli,
  argv: string[],
): Promise<{ lines: string[]; stderr: string; code: number | undefined }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  let code: number | undefined;
  await cli({ stdout, stderr, env: {}, setExitCode: (c) => (code = c) }, argv)
    .exitProcess(false)
    .parseAsync();
  return { lines: out.split('\n').filter(Boolean), stderr: err, code };
}

const TOKEN = 'cli-test-token-abcdef123456';

/** Help text with its whitespace folded: a word cut by the wrapping ("Airb" / "yte") no longer matches. */
const folded = (text: string): string => text.replace(/\s+/g, ' ');

describe('--help (built CLI)', () => {
  const run = (bin: string, argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8' });

  it.each([
    [
      BIN.airbyte,
      [
        'Intercom source and destination for Airbyte (spec, check, discover, read, write).',
        'Print a few records of one stream after every data control, as pretty JSON (for people)',
        'Write Airbyte RECORD messages from stdin to Intercom (destination); STATE is echoed once the records before it are written',
      ],
    ],
    [BIN.tap, ['No progress lines on stderr (METRIC lines stay)', 'Path to the catalog (legacy name of --catalog)']],
  ])('%s --help wraps at word boundaries within 100 columns', (bin, sentences) => {
    const { stdout } = run(bin, ['--help']);
    for (const line of stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    for (const sentence of sentences) expect(folded(stdout)).toContain(sentence);
  });

  it('the hint for a missing command names every command', () => {
    expect(run(BIN.airbyte, []).stderr).toContain(
      'Name a command: spec, check, discover, read, preview, write or demo.',
    );
  });
});

describe('Airbyte CLI (in process)', () => {
  it('spec prints one valid SPEC message whose secret fields are marked', async () => {
    const { lines, code } = await runInProcess(airbyteCli, ['spec']);
    expect(code).toBe(0);
    expect(lines).toHaveLength(1);
    const message = assertAirbyteMessage(lines[0]!) as {
      spec: {
        connectionSpecification: {
          properties: Record<string, { airbyte_secret?: boolean; title?: string; order?: number }>;
        };
      };
    };
    const props = message.spec.connectionSpecification.properties;
    expect(props.access_token?.airbyte_secret).toBe(true);
    const groups = new Set(
      (message.spec.connectionSpecification as unknown as { groups: { id: string }[] }).groups.map((g) => g.id),
    );
    for (const [name, prop] of Object.entries(props)) {
      expect(prop.title, `${name} has a title`).toBeTruthy();
      expect(typeof prop.order, `${name} has an order`).toBe('number');
      expect(groups.has((prop as { group?: string }).group ?? ''), `${name} is in a declared group`).toBe(true);
    }
  });

  it('discover lists every stream with a valid AirbyteStream, key and cursor that exist in its schema', async () => {
    // No reporting datasets: with the default ("*") discover would ask Intercom which exist (no network here).
    const { config } = writeJsonFiles({ config: { access_token: TOKEN, reporting_datasets: [] } });
    const { lines, code } = await runInProcess(airbyteCli, ['discover', '--config', config!]);
    expect(code).toBe(0);
    const message = assertAirbyteMessage(lines[0]!) as {
      catalog: {
        streams: {
          name: string;
          json_schema: { properties: Record<string, unknown> };
          source_defined_primary_key: string[][];
          default_cursor_field?: string[];
        }[];
      };
    };
    const names = message.catalog.streams.map((s) => s.name).sort();
    expect(names).toEqual([...streamCatalog().keys()].sort());
    for (const stream of message.catalog.streams) {
      expect(validateAirbyteDefinition('AirbyteStream', stream)).toBeUndefined();
      for (const [key] of stream.source_defined_primary_key)
        expect(stream.json_schema.properties, `${stream.name} key ${key}`).toHaveProperty(key!);
      if (stream.default_cursor_field)
        expect(stream.json_schema.properties).toHaveProperty(stream.default_cursor_field[0]!);
    }
  });

  it('discover with a bad config emits a config_error TRACE naming the field, not a stack', async () => {
    const { config } = writeJsonFiles({ config: { access_token: TOKEN, region: 'moon' } });
    const { lines, code } = await runInProcess(airbyteCli, ['discover', '--config', config!]);
    expect(code).toBe(1);
    const trace = assertAirbyteMessage(lines.at(-1)!) as {
      trace: { error: { message: string; failure_type: string } };
    };
    expect(trace.trace.error.failure_type).toBe('config_error');
    expect(trace.trace.error.message).toContain('config.region');
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('check refuses a config read would refuse: a custom stream named like a shipped one', async () => {
    const { config } = writeJsonFiles({
      config: {
        access_token: TOKEN,
        base_url: 'http://127.0.0.1:9',
        custom_streams: [{ name: 'contacts', path: '/admins', records_path: '$.admins[*]' }],
      },
    });
    const { lines } = await runInProcess(airbyteCli, ['check', '--config', config!]);
    const message = assertAirbyteMessage(lines.at(-1)!) as { connectionStatus: { status: string; message: string } };
    expect(message.connectionStatus.status).toBe('FAILED');
    expect(message.connectionStatus.message).toMatch(
      /custom_streams names a stream 'contacts', which the connector already has/,
    );
  });

  it('check with a malformed config file answers CONNECTION_STATUS FAILED naming the file', async () => {
    const { config } = writeJsonFiles({ config: '{"access_token": ' });
    const { lines, code } = await runInProcess(airbyteCli, ['check', '--config', config!]);
    expect(code).toBe(0);
    const message = assertAirbyteMessage(lines.at(-1)!) as { connectionStatus: { status: string; message: string } };
    expect(message.connectionStatus.status).toBe('FAILED');
    expect(message.connectionStatus.message).toContain('not valid JSON');
  });

  it('read refuses a catalog that selects an unknown stream, naming it', async () => {
    const files = writeJsonFiles({
      config: { access_token: TOKEN },
      catalog: {
        streams: [
          {
            stream: { name: 'widgets', json_schema: {}, supported_sync_modes: ['full_refresh'] },
            sync_mode: 'full_refresh',
            destination_sync_mode: 'append',
          },
        ],
      },
    });
    const { lines, code } = await runInProcess(airbyteCli, [
      'read',
      '--config',
      files.config!,
      '--catalog',
      files.catalog!,
    ]);
    expect(code).toBe(1);
    const trace = assertAirbyteMessage(lines.at(-1)!) as {
      trace: { error: { message: string; failure_type: string } };
    };
    expect(trace.trace.error.failure_type).toBe('config_error');
    expect(trace.trace.error.message).toContain("'widgets'");
  });

  it('read refuses incremental sync of a full-refresh-only stream', async () => {
    const files = writeJsonFiles({
      config: { access_token: TOKEN },
      catalog: {
        streams: [
          {
            stream: { name: 'admins', json_schema: {}, supported_sync_modes: ['full_refresh'] },
            sync_mode: 'incremental',
            destination_sync_mode: 'append',
          },
        ],
      },
    });
    const { lines } = await runInProcess(airbyteCli, ['read', '--config', files.config!, '--catalog', files.catalog!]);
    const trace = assertAirbyteMessage(lines.at(-1)!) as { trace: { error: { message: string } } };
    expect(trace.trace.error.message).toMatch(/admins.*does not support incremental/);
  });
});

describe('Singer CLI (in process)', () => {
  it('--about --format json lists capabilities and the settings schema', async () => {
    const { lines, code } = await runInProcess(singerCli, ['--about', '--format', 'json']);
    expect(code).toBe(0);
    const about = JSON.parse(lines.join('\n')) as {
      name: string;
      capabilities: string[];
      settings: { properties: Record<string, unknown> };
    };
    expect(about.name).toBe('tap-intercom');
    expect(about.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state', 'about']));
    expect(about.settings.properties).toHaveProperty('access_token');
  });

  it('--about --format markdown lists every setting of the spec in a table', async () => {
    const { lines, code } = await runInProcess(singerCli, ['--about', '--format', 'markdown']);
    expect(code).toBe(0);
    const text = lines.join('\n');
    expect(text).toContain('## Settings');
    const props = (JSON.parse(JSON.stringify(aboutInfo())) as { settings: { properties: Record<string, unknown> } })
      .settings.properties;
    for (const name of Object.keys(props)) expect(text, name).toMatch(new RegExp(`^\\| \`${name}\` \\|`, 'm'));
    expect(text).toMatch(/^\| `credentials` \| object \| {2}\| .*Required\./m);
  });

  it('--discover prints a catalog valid against the Singer catalog schema with standard metadata', async () => {
    const { config } = writeJsonFiles({ config: { access_token: TOKEN, reporting_datasets: [] } });
    const { lines, code } = await runInProcess(singerCli, ['--config', config!, '--discover']);
    expect(code).toBe(0);
    // Meltano reads discovery output line by line and refuses a line over 64 KiB: the catalog is indented.
    expect(Math.max(...lines.map((l) => Buffer.byteLength(l)))).toBeLessThanOrEqual(4096);
    const catalog = JSON.parse(lines.join('\n')) as {
      streams: {
        tap_stream_id: string;
        key_properties: string[];
        metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
      }[];
    };
    expect(singerCatalogErrors(catalog)).toBeUndefined();
    const contactsLike = catalog.streams.find((s) => s.tap_stream_id === 'teams')!;
    const root = contactsLike.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
    expect(root['table-key-properties']).toEqual(['id']);
    expect(root).toHaveProperty('valid-replication-keys');
    expect(root).toHaveProperty('inclusion');
    const idCrumb = contactsLike.metadata.find((m) => m.breadcrumb.join('/') === 'properties/id')!;
    expect(idCrumb.metadata.inclusion).toBe('automatic');
  });

  it('refuses to run without --config and explains, on stderr only', async () => {
    const { lines, stderr, code } = await runInProcess(singerCli, ['--catalog', 'x.json']);
    expect(code).toBe(1);
    expect(lines).toEqual([]);
    expect(stderr).toContain('--config is required');
  });

  it('a catalog that selects an unknown stream is a config error naming it', async () => {
    const files = writeJsonFiles({
      config: { access_token: TOKEN },
      catalog: {
        streams: [
          {
            tap_stream_id: 'gadgets',
            stream: 'gadgets',
            schema: {},
            metadata: [{ breadcrumb: [], metadata: { selected: true } }],
          },
        ],
      },
    });
    const { stderr, code } = await runInProcess(singerCli, ['--config', files.config!, '--catalog', files.catalog!]);
    expect(code).toBe(1);
    expect(stderr).toContain("'gadgets'");
  });

  it('a state file that is not JSON is a config error naming the file, on stderr only (stdout stays protocol)', async () => {
    const files = writeJsonFiles({
      config: { access_token: TOKEN },
      catalog: { streams: [] },
      state: '{"bookmarks": ',
    });
    const { lines, stderr, code } = await runInProcess(singerCli, [
      '--config',
      files.config!,
      '--catalog',
      files.catalog!,
      '--state',
      files.state!,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(files.state!);
    for (const line of lines) assertSingerMessage(line);
    expect(lines.filter((l) => l.includes('"RECORD"'))).toEqual([]);
  });
});
