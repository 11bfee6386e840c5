import { listReader } from './simple-lists.js';

/** Ticket types with their attributes and states kept as objects (they describe the ticket's shape). */
export const ticketTypesReader = listReader({ stream: 'ticket_types', path: '/ticket_types', recordsKey: 'data' });
