import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { parseSourceConfig } from '../src/config/source-config.js';
import { parseDestinationConfig } from '../src/destination/config.js';
import { repoRoot } from './helpers/run-cli.js';

/**
 * The Meltano plugin definitions in meltano/ (Meltano Hub's format) against the config specs.
 * Meltano hands a setting to the tap as typed JSON only when the definition declares its kind;
 * otherwise `meltano config set max_concurrency 8` reaches the tap as the string "8", which the
 * spec refuses. So every spec property must be declared with the kind its type implies, and the
 * value Meltano makes of what a user types must pass the connector's own config parser.
 */
type Prop = {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  default?: unknown;
  examples?: unknown[];
  airbyte_secret?: boolean;
  minimum?: number;
  properties?: Record<string, Prop>;
  oneOf?: Prop[];
};
type Setting = { name: string; kind?: string; sensitive?: boolean; options?: { label: string; value: unknown }[] };
type Definition = {
  name: string;
  namespace: string;
  executable: string;
  capabilities: string[];
  settings: Setting[];
  settings_group_validation: string[][];
};

const readJson = (rel: string): { properties: Record<string, Prop> } =>
  JSON.parse(readFileSync(join(repoRoot, rel), 'utf8')) as { properties: Record<string, Prop> };
const readDef = (rel: string): Definition => YAML.parse(readFileSync(join(repoRoot, rel), 'utf8')) as Definition;

const PLUGINS = [
  {
    file: 'meltano/tap-intercom.yml',
    schema: 'schemas/config/source.json',
    parse: (c: unknown) => parseSourceConfig(c, {}),
  },
  {
    file: 'meltano/target-intercom.yml',
    schema: 'schemas/config/destination.json',
    parse: (c: unknown) => parseDestinationConfig(c, {}),
  },
] as const;

const TOKEN = 'meltano-test-token-0123456789';

/** What the JSON Schema type of a property means for Meltano (its documented setting kinds). */
function expectedKind(p: Prop): string {
  const types = Array.isArray(p.type) ? p.type : [p.type];
  if (types.includes('integer')) return 'integer';
  if (types.includes('boolean')) return 'boolean';
  if (types.includes('array')) return 'array';
  if (types.includes('object')) return 'object';
  if (p.enum) return 'options';
  if (p.format === 'date-time' || p.format === 'date') return 'date_iso8601';
  return 'string';
}

function holdsSecret(p: Prop): boolean {
  return (
    p.airbyte_secret === true ||
    [p, ...(p.oneOf ?? [])].some((b) => Object.values(b.properties ?? {}).some(holdsSecret))
  );
}

/** Meltano's SettingDefinition.cast_value: how the text of `meltano config set` becomes the config value, by kind. */
function meltanoCast(kind: string | undefined, text: string): unknown {
  switch (kind) {
    case 'integer':
      return Number.parseInt(text, 10);
    case 'boolean':
      return ['true', '1', 'yes', 'on', 't', 'y'].includes(text.toLowerCase());
    case 'array':
    case 'object':
      return JSON.parse(text);
    default:
      return text;
  }
}

/** A valid value for each property, as a user would type it. */
const SAMPLES: Record<string, unknown> = {
  credentials: { auth_type: 'access_token', access_token: TOKEN },
  access_token: TOKEN,
  base_url: 'https://api.intercom.io',
  hash_salt: 'meltano-test-salt-0123',
  custom_streams: [{ name: 'my_admins', path: '/admins', records_path: '$.admins[*]' }],
  slice_days: 7,
  max_requests_per_minute: 600,
  start_date: '2024-01-01T00:00:00Z',
  responses_path: 'responses.jsonl',
  ledger_path: 'ledger.jsonl',
};

function sampleText(name: string, p: Prop): string {
  const value =
    name in SAMPLES
      ? SAMPLES[name]
      : p.default !== undefined
        ? p.default
        : p.examples?.[0] !== undefined
          ? p.examples[0]
          : (p.enum?.[0] ?? p.minimum);
  if (value === undefined) throw new Error(`no sample value for ${name}: add one to SAMPLES`);
  return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

describe.each(PLUGINS)('$file', ({ file, schema, parse }) => {
  const def = readDef(file);
  const props = readJson(schema).properties;

  it('is what scripts/gen-meltano.mjs makes of the spec (regenerate: node scripts/gen-meltano.mjs)', () => {
    expect(() =>
      execFileSync(process.execPath, [join(repoRoot, 'scripts/gen-meltano.mjs'), '--check'], { stdio: 'pipe' }),
    ).not.toThrow();
  });

  it('is a plugin definition Meltano can use: name, namespace, executable on the PATH, capabilities', () => {
    expect(def.executable).toBe(def.name);
    expect(def.namespace).toBe(def.name.replace(/-/g, '_'));
    expect(def.capabilities).toContain('about');
    if (def.name === 'tap-intercom')
      expect(def.capabilities).toEqual(expect.arrayContaining(['catalog', 'discover', 'state']));
    for (const group of def.settings_group_validation)
      for (const name of group) expect(Object.keys(props)).toContain(name);
  });

  it('declares every spec property, with the kind its type implies, secrets sensitive, no deprecated kind: password', () => {
    expect(def.settings.map((s) => s.name).sort()).toEqual(Object.keys(props).sort());
    for (const setting of def.settings) {
      const p = props[setting.name]!;
      expect(setting.kind, setting.name).toBe(expectedKind(p));
      expect(setting.sensitive === true, `${setting.name} sensitive`).toBe(holdsSecret(p));
      if (setting.kind === 'options')
        expect(
          setting.options!.map((o) => o.value),
          setting.name,
        ).toEqual(p.enum);
    }
  });

  it('accepts each setting as Meltano passes it after `meltano config set <name> <text>`', () => {
    for (const setting of def.settings) {
      const value = meltanoCast(setting.kind, sampleText(setting.name, props[setting.name]!));
      const config =
        setting.name === 'credentials' ? { credentials: value } : { access_token: TOKEN, [setting.name]: value };
      expect(() => parse(config), `${setting.name} = ${JSON.stringify(value)}`).not.toThrow();
    }
  });

  it('needs the declared kinds: the same text undeclared (a string) is refused for typed settings', () => {
    const typed = def.settings.filter(
      (s) => ['integer', 'boolean', 'object', 'array'].includes(s.kind ?? '') && s.name !== 'credentials',
    );
    expect(typed.length).toBeGreaterThan(3);
    for (const setting of typed) {
      const config = { access_token: TOKEN, [setting.name]: sampleText(setting.name, props[setting.name]!) };
      expect(() => parse(config), setting.name).toThrow();
    }
  });
});

describe('README', () => {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const blocks = (lang: string): string[] =>
    [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

  it('shows the tap definition as it is in meltano/tap-intercom.yml (an excerpt of its settings)', () => {
    const shown = blocks('yaml')
      .map((b) => YAML.parse(b) as Partial<Definition> | null)
      .find((d) => d?.name === 'tap-intercom' && d.settings);
    expect(shown).toBeDefined();
    const def = readDef('meltano/tap-intercom.yml') as unknown as Record<string, unknown> & Definition;
    for (const [key, value] of Object.entries(shown!)) if (key !== 'settings') expect(value, key).toEqual(def[key]);
    expect(shown!.settings!.length).toBeGreaterThan(2);
    for (const setting of shown!.settings!) expect(setting).toEqual(def.settings.find((s) => s.name === setting.name));
  });

  it('quick start: its config parses, and the catalog and commands it names exist', () => {
    const config = blocks('json')
      .map((b) => JSON.parse(b) as Record<string, unknown>)
      .find((c) => 'credentials' in c && 'start_date' in c);
    expect(parseSourceConfig(config, { INTERCOM_TOKEN: TOKEN }).accessToken).toBe(TOKEN);
    expect(readme).toContain('--catalog catalog.quickstart.json');
    expect(readme).not.toMatch(/--catalog configured_catalog\.json \[--state/);
  });
});
