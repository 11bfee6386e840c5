import type { JsonObject } from '../core/events.js';
import type { SyncMode } from '../streams/types.js';

/** A stream the user selected, whatever protocol the selection came in. */
export interface SelectedStream {
  /** The stream's own name (readers, registry), also when the catalog calls it by an alias. */
  name: string;
  syncMode: SyncMode;
  /** Top-level fields the catalog deselected; never a primary key or cursor field. Absent: all fields. */
  excludedFields?: string[];
  /** The schema the catalog carries; used for custom streams, whose schema discover inferred from a sample. */
  catalogSchema?: JsonObject;
}
