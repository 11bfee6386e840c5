/** The fake's request and answer types, shared by the route modules. */
import type { Json } from './model.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface RequestContext {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  /** Base URL of the server (for absolute `next` links). */
  baseUrl: string;
  /** The request's Accept header (export downloads require application/octet-stream). */
  accept?: string;
  /** The Intercom-Version asked for (checked: one of SUPPORTED_VERSIONS); some records render per version. */
  version?: string;
}

export interface JsonResult {
  status: number;
  body: Json;
}

/**
 * Hot routes (searches, lists) answer the body already serialized, assembled from cached record
 * texts: the UTF-8 bytes of exactly what JSON.stringify of the equivalent body gives (same key order).
 */
export interface BytesResult {
  status: number;
  bytes: Buffer;
  /** Default: JSON. */
  contentType?: string;
}

export type RouteResult = JsonResult | BytesResult;
