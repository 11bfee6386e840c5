import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
export const specDir = fileURLToPath(new URL('../../spec/', import.meta.url));

function ajv(): Ajv {
  const instance = new Ajv({ strict: false, allErrors: true, allowUnionTypes: true });
  addFormats(instance);
  return instance;
}

let airbyteValidators: { message: ValidateFunction; byName: (name: string) => ValidateFunction } | undefined;

function airbyte(): NonNullable<typeof airbyteValidators> {
  if (airbyteValidators) return airbyteValidators;
  const doc = parseYaml(readFileSync(`${specDir}protocols/airbyte_protocol.yaml`, 'utf8')) as Record<string, unknown>;
  const instance = ajv();
  const schema = { ...doc, $id: 'airbyte_protocol' };
  instance.addSchema(schema);
  airbyteValidators = {
    message: instance.getSchema('airbyte_protocol#/definitions/AirbyteMessage')!,
    byName: (name) => instance.getSchema(`airbyte_protocol#/definitions/${name}`)!,
  };
  return airbyteValidators;
}

const PAYLOAD: Record<string, string> = {
  RECORD: 'record',
  STATE: 'state',
  LOG: 'log',
  SPEC: 'spec',
  CONNECTION_STATUS: 'connectionStatus',
  CATALOG: 'catalog',
  TRACE: 'trace',
  CONTROL: 'control',
};

/** Throws unless the line is one valid AirbyteMessage whose payload matches its type. */
export function assertAirbyteMessage(line: string): Record<string, unknown> {
  const message = JSON.parse(line) as Record<string, unknown>;
  const { message: validate } = airbyte();
  if (!validate(message))
    throw new Error(`invalid AirbyteMessage ${line.slice(0, 300)}: ${JSON.stringify(validate.errors)}`);
  const payload = PAYLOAD[message.type as string];
  if (!payload || message[payload] === undefined)
    throw new Error(
      `AirbyteMessage of type ${String(message.type)} lacks its '${payload}' payload: ${line.slice(0, 300)}`,
    );
  return message;
}

export function validateAirbyteDefinition(name: string, value: unknown): string | undefined {
  const validate = airbyte().byName(name);
  return validate(value) ? undefined : JSON.stringify(validate.errors);
}

let singerMessage: ValidateFunction | undefined;
let singerCatalogValidator: ValidateFunction | undefined;

export function assertSingerMessage(line: string): Record<string, unknown> {
  singerMessage ??= ajv().compile(
    JSON.parse(readFileSync(`${specDir}protocols/singer_messages.schema.json`, 'utf8')) as object,
  );
  const message = JSON.parse(line) as Record<string, unknown>;
  if (!singerMessage(message))
    throw new Error(`invalid Singer message ${line.slice(0, 300)}: ${JSON.stringify(singerMessage.errors)}`);
  return message;
}

export function singerCatalogErrors(catalog: unknown): string | undefined {
  singerCatalogValidator ??= ajv().compile(
    JSON.parse(readFileSync(`${specDir}protocols/singer_catalog.schema.json`, 'utf8')) as object,
  );
  return singerCatalogValidator(catalog) ? undefined : JSON.stringify(singerCatalogValidator.errors);
}
