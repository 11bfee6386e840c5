import type { JsonObject } from '../core/events.js';
import type { Team, TeamAdmin } from '../generated/streams/index.js';
import { cursorPages } from '../intercom/pagination.js';
import { endpointOf, streamsOfReader } from './catalog.js';
import { idString } from './transform.js';
import type { Reader, ReaderItem } from './types.js';

/** The team_admin rows of one team, from its admin_ids (ids become strings, each pair once). */
export function teamAdminRows(team: Team): TeamAdmin[] {
  const teamId = idString(team.id);
  const adminIds = Array.isArray(team.admin_ids) ? team.admin_ids : [];
  const rows: TeamAdmin[] = [];
  for (const adminId of new Set(adminIds.map(idString))) {
    if (teamId && adminId) rows.push({ team_id: teamId, admin_id: adminId });
  }
  return rows;
}

/** Teams, and the team_admin junction from each team's admin_ids in the same pass. */
export const teamsReader: Reader = {
  streams: streamsOfReader('teams'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for await (const page of cursorPages(ctx.client, { ...endpointOf('teams'), stream: 'teams' })) {
      for (const team of page.records) {
        yield { kind: 'record', stream: 'teams', record: team };
        if (!ctx.selected.has('team_admin')) continue;
        // A record from the network is only as typed as its schema says: the fields read here are checked.
        for (const row of teamAdminRows(team as unknown as Team))
          yield { kind: 'record', stream: 'team_admin', record: row as unknown as JsonObject };
      }
    }
  },
};
