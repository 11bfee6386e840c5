import { ConfigError } from '../core/errors.js';

export const REGION_URLS: Record<string, string> = {
  us: 'https://api.intercom.io',
  eu: 'https://api.eu.intercom.io',
  au: 'https://api.au.intercom.io',
};

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** The API root: base_url if given (https, or http only to a loopback host), else the region's host. */
export function resolveBaseUrl(region: string | undefined, baseUrl: string | undefined): string {
  if (baseUrl === undefined || baseUrl === '') {
    const url = REGION_URLS[region ?? 'us'];
    if (!url) throw new ConfigError(`config.region must be one of us, eu, au (got ${JSON.stringify(region)}).`);
    return url;
  }
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    // The text may hold credentials: name the field, not its value.
    throw new ConfigError('config.base_url is not a valid URL. Example: https://api.intercom.io');
  }
  refuseUrlParts(parsed);
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new ConfigError(
      `config.base_url uses plain http:// to a non-loopback host (${parsed.hostname}); the token would travel unencrypted. Use https://, or http:// only for 127.0.0.1/localhost.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`config.base_url must start with https:// (got ${parsed.protocol}//).`);
  }
  return parsed.toString().replace(/\/+$/, '');
}

/**
 * The token goes to one origin, built from scheme, host and port only. Credentials in the URL would
 * replace the bearer token with Basic auth (and be printed in errors); a query or a fragment would
 * silently send every request to the root path.
 */
function refuseUrlParts(parsed: URL): void {
  if (parsed.username || parsed.password) {
    throw new ConfigError(
      'config.base_url must not contain a user name or password (user:password@host); put the token in access_token and give base_url as https://host[:port][/path].',
    );
  }
  const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  if (parsed.search || baseUrlHasMark(parsed, '?')) {
    throw new ConfigError(
      `config.base_url must not contain a query string ('?…'); give only scheme, host, port and path, e.g. ${shown}.`,
    );
  }
  if (parsed.hash || baseUrlHasMark(parsed, '#')) {
    throw new ConfigError(
      `config.base_url must not contain a fragment ('#…'); give only scheme, host, port and path, e.g. ${shown}.`,
    );
  }
}

/** An empty `?` or `#` leaves search/hash empty but is still there in the serialised URL. */
function baseUrlHasMark(parsed: URL, mark: '?' | '#'): boolean {
  return parsed.href.includes(mark);
}
