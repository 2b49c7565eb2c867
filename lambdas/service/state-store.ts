/** Small JSON state next to the findings (per-control error streaks, delivered-event markers, Security Hub ids). */

/** A key-value store of JSON documents (S3 in AWS, a folder locally). */
export interface StateStore {
  getJson<T>(key: string): Promise<T | undefined>;
  putJson(key: string, value: unknown): Promise<void>;
}

/** Keys of the state documents, beside the findings layout. */
export const stateKeys = {
  /** Consecutive evaluation failures of a control, and whether they were alerted. */
  health: (orgId: string, controlId: string) => `state/${orgId}/${controlId}/health.json`,
  /** Marks a scheduled event as fully handled, so a re-delivery does nothing. */
  event: (orgId: string, controlId: string, eventId: string) =>
    `events/${orgId}/${controlId}/${encodeURIComponent(eventId)}.json`,
  /** Security Hub finding ids imported as ACTIVE, so the next run archives those it no longer reports. */
  securityHub: (orgId: string, controlId: string) => `state/${orgId}/${controlId}/securityhub.json`,
};

/** What the health document holds. */
export interface ControlHealth {
  consecutiveErrors: number;
  lastErrorCode?: string;
  alerted: boolean;
}
