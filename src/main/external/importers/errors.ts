// What importers throw for bad input (the service turns it into a one-line bad_request), and their progress callback.
export class ImportError extends Error {}

/** Bytes (or rows) done out of a total, for a progress bar on big inputs. */
export type Progress = (done: number, total: number) => void;
