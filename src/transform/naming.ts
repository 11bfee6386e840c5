import { ConfigError } from '../core/errors.js';

/**
 * Destination names of streams: `stream_prefix` + (`stream_aliases[stream]` or the stream's own
 * name). Everything a user sees or hands back (discover, catalog, records, state, logs) uses the
 * output name; readers and the engine's internals use the stream's own name.
 */
export class StreamNaming {
  private readonly toOutput = new Map<string, string>();
  private readonly toStream = new Map<string, string>();

  constructor(streams: readonly string[], prefix = '', aliases: Readonly<Record<string, string>> = {}) {
    const known = new Set(streams);
    for (const name of Object.keys(aliases)) {
      if (!known.has(name))
        throw new ConfigError(
          `config.stream_aliases has an entry for stream '${name}', which this connector does not have. Known streams: ${streams.join(', ')}.`,
        );
    }
    for (const stream of streams) {
      const output = `${prefix}${aliases[stream] ?? stream}`;
      const taken = this.toStream.get(output);
      if (taken !== undefined)
        throw new ConfigError(
          `config.stream_aliases would give streams '${taken}' and '${stream}' the same name '${output}'; choose distinct names.`,
        );
      this.toOutput.set(stream, output);
      this.toStream.set(output, stream);
    }
  }

  get identity(): boolean {
    for (const [stream, output] of this.toOutput) if (stream !== output) return false;
    return true;
  }

  /** The name a stream has outside the connector. */
  output(stream: string): string {
    return this.toOutput.get(stream) ?? stream;
  }

  /** The stream an output name (as found in a catalog or state) refers to, if any. */
  stream(output: string): string | undefined {
    return this.toStream.get(output);
  }

  outputs(): string[] {
    return [...this.toStream.keys()];
  }
}
