import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { airbyteSpec } from '../src/cli/airbyte-cli.js';
import { parseSourceConfig } from '../src/config/source-config.js';
import { airbyteDestinationSpec } from '../src/cli/target-cli.js';
import { parseDestinationConfig } from '../src/destination/config.js';

/**
 * The rules of Airbyte's connector-spec documentation ("Connector specification reference") that
 * decide how the UI renders the form: order unique among siblings, groups declared, required keys
 * that exist, secrets marked (and only secrets), every oneOf branch discriminated by a `const`
 * under the same property name, defaults that satisfy their own schema, and advanced_auth paths
 * that point into the OAuth branch.
 */
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  oneOf?: Schema[];
  items?: Schema;
  order?: number;
  group?: string;
  const?: unknown;
  default?: unknown;
  airbyte_secret?: boolean;
  airbyte_hidden?: boolean;
  always_show?: boolean;
  groups?: { id: string; title?: string }[];
};

type Spec = {
  connectionSpecification: Schema;
  advanced_auth?: {
    auth_flow_type: string;
    predicate_key: string[];
    predicate_value: string;
    oauth_config_specification: Record<string, { properties: Record<string, { path_in_connector_config?: string[] }> }>;
  };
};

/** Every object schema of the spec (the root, nested objects, oneOf branches, array items) with its path. */
function objectSchemas(schema: Schema, path = 'spec'): [string, Schema][] {
  const out: [string, Schema][] = [];
  if (schema.properties) out.push([path, schema]);
  for (const [name, prop] of Object.entries(schema.properties ?? {}))
    out.push(...objectSchemas(prop, `${path}.${name}`));
  schema.oneOf?.forEach((branch, i) => out.push(...objectSchemas(branch, `${path}.oneOf[${i}]`)));
  if (schema.items) out.push(...objectSchemas(schema.items, `${path}[]`));
  return out;
}

function allProperties(schema: Schema, path = 'spec'): [string, Schema][] {
  return objectSchemas(schema, path).flatMap(([p, s]) =>
    Object.entries(s.properties ?? {}).map(([name, prop]): [string, Schema] => [`${p}.${name}`, prop]),
  );
}

const SECRET_NAME = /(^|_)(token|secret|password|salt|api_key)$/;

const SPECS = [
  { name: 'source', spec: airbyteSpec() as Spec, parse: (c: unknown) => parseSourceConfig(c, {}) },
  { name: 'destination', spec: airbyteDestinationSpec() as Spec, parse: (c: unknown) => parseDestinationConfig(c, {}) },
];

describe.each(SPECS)("the Airbyte $name spec follows the rules of Airbyte's spec documentation", ({ spec, parse }) => {
  const root = spec.connectionSpecification;

  it('order: every property of the form has an integer order, unique among its siblings', () => {
    for (const [path, schema] of objectSchemas(root)) {
      const orders = Object.entries(schema.properties!).map(([name, p]) => {
        expect(Number.isInteger(p.order), `${path}.${name} has an integer order`).toBe(true);
        return p.order;
      });
      expect(new Set(orders).size, `orders unique under ${path}`).toBe(orders.length);
    }
  });

  it('groups: declared once at the top level, used only there, every top-level property in one', () => {
    const ids = root.groups!.map((g) => g.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, prop] of Object.entries(root.properties!)) expect(ids, `${name}.group`).toContain(prop.group);
    for (const [path, prop] of allProperties(root).filter(([p]) => p.split('.').length > 2))
      expect(prop.group, `${path} has no group (groups are top-level only)`).toBeUndefined();
    for (const id of ids)
      expect(
        Object.values(root.properties!).some((p) => p.group === id),
        `group ${id} is used`,
      ).toBe(true);
  });

  it('required: each listed key exists; the form cannot be saved without credentials; required fields are not hidden', () => {
    for (const [path, schema] of objectSchemas(root)) {
      for (const key of schema.required ?? []) {
        expect(schema.properties, `${path} requires ${key}`).toHaveProperty(key);
        expect(schema.properties![key]!.airbyte_hidden, `${path}.${key} is required so it is shown`).not.toBe(true);
      }
    }
    expect(root.required).toEqual(['credentials']);
    expect(root.properties!.credentials!.always_show).toBe(true);
  });

  it('secrets: every token, secret and salt is airbyte_secret; nothing else is (client_id is not a secret)', () => {
    for (const [path, prop] of allProperties(root)) {
      const name = path.split('.').pop()!;
      expect(prop.airbyte_secret === true, `${path} airbyte_secret`).toBe(SECRET_NAME.test(name));
      if (prop.airbyte_secret) expect(prop.type, `${path} is a string`).toBe('string');
    }
    const oauth = root.properties!.credentials!.oneOf!.find((b) => b.properties!.auth_type!.const === 'oauth2.0')!;
    expect(oauth.properties!.client_id!.airbyte_secret).toBeUndefined();
    expect(oauth.properties!.client_secret!.airbyte_secret).toBe(true);
  });

  it('oneOf: each branch is an object with a const discriminator under the same name, required, distinct values', () => {
    const withOneOf = [...objectSchemas(root), ...allProperties(root)].filter(([, s]) => s.oneOf);
    expect(withOneOf.map(([p]) => p)).toEqual(['spec.credentials']);
    for (const [path, schema] of withOneOf) {
      const discriminators = schema.oneOf!.map((b) =>
        Object.entries(b.properties ?? {})
          .filter(([, p]) => p.const !== undefined)
          .map(([n]) => n),
      );
      for (const names of discriminators) expect(names, `${path}: one const property per branch`).toHaveLength(1);
      const name = discriminators[0]![0]!;
      expect(
        discriminators.every((d) => d[0] === name),
        `${path}: same discriminator name`,
      ).toBe(true);
      const values = schema.oneOf!.map((b) => b.properties![name]!.const);
      expect(new Set(values).size).toBe(values.length);
      for (const branch of schema.oneOf!) {
        expect(branch.type).toBe('object');
        expect(branch.required).toContain(name);
        expect(
          branch.required,
          `${path}: access_token required in branch ${String(branch.properties![name]!.const)}`,
        ).toContain('access_token');
      }
      expect(values).toEqual(['access_token', 'oauth2.0']);
    }
  });

  it('defaults: each default satisfies its own property schema', () => {
    const ajv = new Ajv({ strict: false, allowUnionTypes: true });
    for (const [path, prop] of allProperties(root).filter(([, p]) => p.default !== undefined)) {
      expect(
        ajv.validate({ ...prop, default: undefined }, prop.default),
        `${path} default ${JSON.stringify(prop.default)}`,
      ).toBe(true);
    }
  });

  it('a config made by the form (either branch) and the legacy top-level access_token both parse', () => {
    const token = 'spec-rules-token-0123456789';
    for (const credentials of [
      { auth_type: 'access_token', access_token: token },
      { auth_type: 'oauth2.0', client_id: 'cid', client_secret: 'spec-rules-secret-0123', access_token: token },
    ]) {
      expect(parse({ credentials }).accessToken).toBe(token);
    }
    expect(parse({ access_token: token }).accessToken).toBe(token);
    expect(() => parse({})).toThrow(/config\.credentials is required/);
  });
});

describe('the Airbyte source spec offers Intercom OAuth', () => {
  const source = SPECS[0]!.spec;

  it('advanced_auth: the predicate is the oneOf discriminator and every path_in_connector_config exists in the OAuth branch', () => {
    const auth = source.advanced_auth!;
    const root = source.connectionSpecification;
    expect(auth.auth_flow_type).toBe('oauth2.0');
    expect(auth.predicate_key).toEqual(['credentials', 'auth_type']);
    const branch = root.properties!.credentials!.oneOf!.find(
      (b) => b.properties!.auth_type!.const === auth.predicate_value,
    );
    expect(branch).toBeDefined();
    const paths = Object.values(auth.oauth_config_specification)
      .flatMap((s) => Object.values(s.properties).map((p) => p.path_in_connector_config))
      .filter((p): p is string[] => !!p);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    for (const [top, key] of paths) {
      expect(top).toBe('credentials');
      expect(branch!.properties, `advanced_auth path credentials.${key}`).toHaveProperty(key!);
    }
  });
});
