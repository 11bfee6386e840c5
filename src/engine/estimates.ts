/** A row estimate that moves by more than this share of the last one sent is sent again. */
export const ESTIMATE_CHANGE = 0.1;

/**
 * Decides which row estimates reach the protocol: the first of each stream, then only those that
 * changed materially. Readers may report an estimate per page or per slice; an orchestrator needs
 * one per stream, not a TRACE per request.
 */
export class EstimateGate {
  private readonly sent = new Map<string, number>();

  admit(stream: string, rows: number): boolean {
    if (!Number.isFinite(rows) || rows < 0) return false;
    const last = this.sent.get(stream);
    if (last !== undefined && Math.abs(rows - last) <= last * ESTIMATE_CHANGE) return false;
    this.sent.set(stream, rows);
    return true;
  }
}
