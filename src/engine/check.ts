import { errorMessage } from '../core/errors.js';
import type { IntercomClient } from '../intercom/client.js';

interface MeResponse {
  name?: string;
  email?: string;
  app?: { name?: string; id_code?: string; region?: string } | null;
}

export type CheckResult = { ok: true; message: string } | { ok: false; message: string };

/** `GET /me`: proves the token works and names the workspace and admin it belongs to. */
export async function checkConnection(client: IntercomClient): Promise<CheckResult> {
  try {
    const me = await client.request<MeResponse>({ path: '/me', retries: 2 });
    const app = me.app
      ? `workspace '${me.app.name ?? '?'}' (${me.app.id_code ?? 'unknown id'}${me.app.region ? `, region ${me.app.region}` : ''})`
      : 'an unknown workspace';
    return {
      ok: true,
      message: `Connected to Intercom ${app} as ${me.name ?? 'an admin'}${me.email ? ` <${me.email}>` : ''}.`,
    };
  } catch (err) {
    return { ok: false, message: errorMessage(err) };
  }
}
