import type { JsonObject } from '../core/events.js';
import { ConfigError } from '../core/errors.js';
import type { StreamWriteConfig } from './config.js';
import { genericWriter } from './writers/generic.js';
import { BUILT_IN_WRITERS } from './writers/registry.js';
import type { ObjectWriter, Operation } from './writers/types.js';

/** How the records of one stream are written. */
export interface StreamRoute {
  stream: string;
  writer: ObjectWriter;
  operation: Operation;
  /** Static fields under every record (the record wins). */
  defaults: JsonObject;
  exclude: readonly string[];
}

export interface CatalogStream {
  name: string;
  /** Airbyte's destination_object_name: which Intercom object the stream writes. */
  objectName?: string;
}

/**
 * Resolves stream names to writers: config.streams first, then the catalog's object name, then a
 * stream named after a built-in object. Every configured (and catalogued) stream is resolved up
 * front so a config mistake fails before any record is read.
 */
export class StreamRoutes {
  private readonly routes = new Map<string, StreamRoute | string>();

  constructor(
    private readonly streams: Record<string, StreamWriteConfig>,
    private readonly catalog?: CatalogStream[],
  ) {
    for (const name of Object.keys(streams)) this.routes.set(name, this.resolve(name, streams[name]!, undefined));
    for (const entry of catalog ?? []) {
      const route = this.routes.get(entry.name) ?? this.resolve(entry.name, undefined, entry.objectName);
      if (typeof route === 'string') throw new ConfigError(route);
      this.routes.set(entry.name, route);
    }
    for (const route of this.routes.values()) if (typeof route === 'string') throw new ConfigError(route);
  }

  /** The route of a stream, or why there is none (a per-record error). */
  get(stream: string): StreamRoute | string {
    let route = this.routes.get(stream);
    if (route === undefined) {
      route = this.catalog
        ? `stream '${stream}' is not in the configured catalog`
        : (this.resolve(stream, undefined, undefined) as StreamRoute | string);
      this.routes.set(stream, route);
    }
    return route;
  }

  private resolve(
    stream: string,
    config: StreamWriteConfig | undefined,
    objectName: string | undefined,
  ): StreamRoute | string {
    const where = `config.streams.${stream}`;
    const generic = config?.method !== undefined || config?.path !== undefined;
    if (generic && config?.object)
      return `${where} names both an object (${config.object}) and method/path; use one or the other.`;
    const objectFor = config?.object ?? objectName ?? stream;
    let writer: ObjectWriter | undefined;
    if (generic) writer = genericWriter(stream, config!);
    else writer = BUILT_IN_WRITERS.get(objectFor);
    if (!writer) {
      if (config?.object || objectName)
        return `stream '${stream}' names the Intercom object '${objectFor}', which has no writer. Known objects: ${[...BUILT_IN_WRITERS.keys()].join(', ')}.`;
      return `no writer for stream '${stream}': name the stream after an Intercom object (${[...BUILT_IN_WRITERS.keys()].join(', ')}), or add ${where} with an object, or with method and path (generic mode)`;
    }
    if (!generic && config?.batch_property)
      return `${where}.batch_property is for generic mode only; the ${writer.object} writer sends one request per record.`;
    const operation = (config?.operation ?? writer.defaultOperation) as Operation;
    if (!writer.operations.includes(operation))
      return `${where}.operation '${operation}' is not available for ${writer.object}; use one of ${writer.operations.join(', ')}.`;
    return {
      stream,
      writer,
      operation,
      defaults: (!generic && config?.body ? config.body : {}) as JsonObject,
      exclude: generic ? [] : (config?.exclude_fields ?? []),
    };
  }
}
