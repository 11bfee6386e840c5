/**
 * `hash_pii: true`: the fields of each stream that identify or describe a person, or carry text a
 * person wrote. The README's "Data controls" section shows this table; keep them in step.
 * Deliberately not hashed: ids (needed for joins; they identify nothing outside Intercom),
 * email_domain (mostly a company's domain), company names (a business, not a person).
 */
export const PII_FIELDS: Readonly<Record<string, readonly string[]>> = {
  contacts: ['name', 'email', 'phone', 'external_id', 'avatar', 'location', 'social_profiles', 'custom_attributes'],
  conversations: [
    'title',
    'source.subject',
    'source.body',
    'source.author.email',
    'source.author.name',
    'conversation_rating.remark',
  ],
  conversation_parts: [
    'body',
    'author.email',
    'author.name',
    'email_message_metadata.subject',
    'email_message_metadata.email_address_headers.email_address',
    'email_message_metadata.email_address_headers.name',
  ],
  email_address_header: ['email_address', 'name'],
  admins: ['email', 'name', 'avatar'],
  tickets: ['ticket_attributes'],
  ticket_parts: ['body', 'author.email', 'author.name'],
  notes: ['body', 'author.email', 'author.name'],
  events: ['email', 'user_id'],
  activity_logs: ['performed_by.email', 'performed_by.ip'],
};
