import { companiesWriter } from './companies.js';
import { contactTagsWriter } from './contact-tags.js';
import { contactsWriter } from './contacts.js';
import { conversationRepliesWriter } from './conversation-replies.js';
import { eventsWriter } from './events.js';
import { notesWriter } from './notes.js';
import { ticketsWriter } from './tickets.js';
import type { ObjectWriter } from './types.js';

/** The built-in writers, by the object (and default stream) name. */
export const BUILT_IN_WRITERS: ReadonlyMap<string, ObjectWriter> = new Map(
  [
    contactsWriter,
    companiesWriter,
    eventsWriter,
    contactTagsWriter,
    notesWriter,
    ticketsWriter,
    conversationRepliesWriter,
  ].map((w) => [w.object, w]),
);
