// One translation of service and storage errors into API errors, shared by every handler module.
import { ApiFailure } from './dispatcher.ts';
import { ServiceError } from '../services/errors.ts';
import { StoreError } from '../store/db.ts';

/** Wraps a handler so expected failures leave as ApiFailure with a code the client can act on. */
export function guard<A extends unknown[], R>(fn: (...args: A) => R | Promise<R>): (...args: A) => Promise<R> {
  return async (...args) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (e instanceof ServiceError) throw new ApiFailure(e.code, e.message, e.issues);
      if (e instanceof StoreError) throw new ApiFailure(e.code === 'not_found' || e.code === 'conflict' ? e.code : 'unavailable', e.message);
      throw e;
    }
  };
}
