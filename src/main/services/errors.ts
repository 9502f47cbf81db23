// Expected failures of the run services, each one line naming the thing; the API maps the code to an
// ApiError and the CLI prints the message and exits non-zero.
import type { ConfigIssue } from '../../shared/config.ts';

export type ServiceErrorCode = 'not_found' | 'bad_request' | 'conflict' | 'unavailable';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly issues?: ConfigIssue[],
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}
