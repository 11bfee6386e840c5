import { describe, expect, it } from 'vitest';
import { parseDataControls } from './controls.js';
import { StreamNaming } from './naming.js';

describe('data controls from config', () => {
  it('defaults: auto drift, auto JSON strings, no hashing, no renames, no custom streams', () => {
    const c = parseDataControls({});
    expect(c).toMatchObject({
      schemaDrift: 'auto',
      jsonStrings: 'auto',
      streamPrefix: '',
      streamAliases: {},
      customStreams: [],
    });
    expect(c.hashFields.size).toBe(0);
  });

  it('hash_pii adds the preset to hash_fields', () => {
    const c = parseDataControls({
      hash_pii: true,
      hash_fields: { contacts: ['email', 'location.city'] },
      hash_salt: 'very-secret-salt',
    });
    expect(c.hashFields.get('contacts')).toEqual(
      expect.arrayContaining(['email', 'location.city', 'name', 'custom_attributes']),
    );
    expect(c.hashFields.get('conversation_parts')).toContain('author.email');
  });

  it('custom streams get their defaults and refuse what cannot work', () => {
    const [def] = parseDataControls({
      custom_streams: [{ name: 'x', path: '/admins', records_path: '$.admins[*]', primary_key: 'id' }],
    }).customStreams;
    expect(def).toMatchObject({
      method: 'GET',
      pagination: 'none',
      primaryKey: ['id'],
      timeUnit: 'day',
      dateFormat: 'unix',
      headers: {},
    });
    expect(() => parseDataControls({ custom_streams: [{ name: 'x', path: '/s', pagination: 'search' }] })).toThrow(
      /needs method "POST"/,
    );
    expect(() => parseDataControls({ custom_streams: [{ name: 'x', path: '/s', body: {} }] })).toThrow(
      /body is only sent with method "POST"/,
    );
    expect(() =>
      parseDataControls({ custom_streams: [{ name: 'x', path: '/s', headers: { Authorization: 'Bearer x' } }] }),
    ).toThrow(/may not set Authorization/);
    expect(() =>
      parseDataControls({
        custom_streams: [
          { name: 'x', path: '/s' },
          { name: 'x', path: '/t' },
        ],
      }),
    ).toThrow(/two streams named 'x'/);
    expect(() => parseDataControls({ macro_date_format: 'DD', custom_streams: [{ name: 'x', path: '/s' }] })).toThrow(
      /config.macro_date_format/,
    );
    expect(() => parseDataControls({ hash_fields: { contacts: ['location.'] } })).toThrow(
      /config.hash_fields.contacts/,
    );
  });
});

describe('StreamNaming', () => {
  it('applies the prefix to every stream and the alias in place of the name', () => {
    const n = new StreamNaming(['contacts', 'admins'], 'ic_', { contacts: 'people' });
    expect(n.output('contacts')).toBe('ic_people');
    expect(n.output('admins')).toBe('ic_admins');
    expect(n.stream('ic_people')).toBe('contacts');
    expect(n.stream('contacts')).toBeUndefined();
    expect(n.identity).toBe(false);
    expect(new StreamNaming(['a']).identity).toBe(true);
  });

  it('refuses unknown streams and names that collide', () => {
    expect(() => new StreamNaming(['contacts'], '', { contact: 'x' })).toThrow(
      /stream 'contact', which this connector does not have/,
    );
    expect(() => new StreamNaming(['contacts', 'admins'], '', { contacts: 'admins' })).toThrow(
      /the same name 'admins'/,
    );
  });
});
