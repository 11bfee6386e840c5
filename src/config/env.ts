import { ConfigError } from '../core/errors.js';
import { registerSecret } from '../core/redact.js';

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` in every string value with the environment variable NAME, so tokens can stay
 * out of config files. A missing variable is an error naming it and the field that uses it.
 * Every substituted value is registered as a secret: whatever a user keeps in the environment
 * (a token, a header of a custom stream, a path) never appears in an output.
 */
export function substituteEnv(value: unknown, env: NodeJS.ProcessEnv, path = 'config'): unknown {
  if (typeof value === 'string') {
    return value.replace(ENV_REF, (_match, name: string) => {
      const resolved = env[name];
      if (resolved === undefined) {
        throw new ConfigError(
          `${path} refers to the environment variable ${name}, which is not set. Export ${name} or put the value in the config file.`,
        );
      }
      registerSecret(resolved);
      return resolved;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, env, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, env, `${path}.${k}`);
    return out;
  }
  return value;
}
