import { describe, expect, it } from 'vitest';
import { eventId } from './events.js';
import { hasNotes } from './notes.js';
import { withDefaultTranslation } from './subscription-types.js';

describe('eventId (data events have no id of their own)', () => {
  const event = {
    type: 'event',
    event_name: 'ordered',
    created_at: 1_700_000_000,
    intercom_user_id: 'c1',
    user_id: 'u1',
    email: 'a@example.com',
    metadata: { a: 1 },
  };

  it('is a SHA-256 hex digest, the same for the same event whatever the key order or metadata', () => {
    const id = eventId(event);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(
      eventId({ metadata: { b: 2 }, created_at: 1_700_000_000, event_name: 'ordered', intercom_user_id: 'c1' }),
    ).toBe(id);
  });

  it('is stable across versions: the digest of a literal event, computed outside the connector', () => {
    // printf '%s' '["c1","ordered",1700000000]' | sha256sum. A change here re-keys every event
    // already in a destination (each would arrive twice).
    expect(eventId(event)).toBe('67cee6996d44b4555f26e6bac1a19e1c1f38feb78e8ce0c1309169a9a82317db');
    // printf '%s' '[null,"signed_up",1700000123]' | sha256sum: nobody to name is null, not "".
    expect(eventId({ event_name: 'signed_up', created_at: 1_700_000_123, email: '' })).toBe(
      '756394b69b01fbd74b1afa1e4e68226299a4de2bee75c8fb73c763b0002e22a5',
    );
  });

  it('differs by who, what and when', () => {
    const id = eventId(event);
    expect(eventId({ ...event, intercom_user_id: 'c2' })).not.toBe(id);
    expect(eventId({ ...event, event_name: 'paid' })).not.toBe(id);
    expect(eventId({ ...event, created_at: 1_700_000_001 })).not.toBe(id);
  });

  it('falls back to user_id, then email, to say who', () => {
    const { intercom_user_id: _i, ...byUserId } = event;
    expect(eventId(byUserId)).toBe(eventId({ ...byUserId, email: 'other@example.com' }));
    expect(eventId(byUserId)).not.toBe(eventId({ ...byUserId, user_id: 'u2' }));
    const { user_id: _u, ...byEmail } = byUserId;
    expect(eventId(byEmail)).not.toBe(eventId({ ...byEmail, email: 'other@example.com' }));
  });
});

describe('hasNotes', () => {
  it('skips the notes request only when the contact says it has none', () => {
    expect(hasNotes({ notes: { type: 'list', data: [], total_count: 0, has_more: false } })).toBe(false);
    expect(hasNotes({ notes: { type: 'list', data: [{ id: '1' }], total_count: 1, has_more: false } })).toBe(true);
    expect(hasNotes({})).toBe(true);
  });
});

describe('withDefaultTranslation', () => {
  it("copies the default translation's name and description to columns and keeps the object", () => {
    const translation = { name: 'Newsletter', description: 'Monthly', locale: 'en' };
    expect(withDefaultTranslation({ id: '1', default_translation: translation })).toEqual({
      id: '1',
      default_translation: translation,
      name: 'Newsletter',
      description: 'Monthly',
    });
    expect(withDefaultTranslation({ id: '2', default_translation: null })).toMatchObject({
      name: null,
      description: null,
    });
  });
});
