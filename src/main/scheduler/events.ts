// A small typed emitter for the API events (run.status, run.metrics, run.alert, run.log): hosts forward
// every event to clients, the CLI listens to the few it prints.
import type { EventName, EventPayload } from '../../shared/api/index.ts';

type Listener<E extends EventName> = (payload: EventPayload<E>) => void;
type AnyListener = (name: EventName, payload: unknown) => void;

export interface ServiceEvents {
  on<E extends EventName>(name: E, listener: Listener<E>): () => void;
  /** Every event, for transports that forward them all; returns an unsubscribe function. */
  onAny(listener: AnyListener): () => void;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
}

export function createEvents(onListenerError: (e: unknown) => void = () => {}): ServiceEvents {
  const byName = new Map<EventName, Set<(payload: unknown) => void>>();
  const any = new Set<AnyListener>();
  // A throwing listener (a closed socket, a bug in a printer) must not break training bookkeeping.
  const safe = (fn: () => void): void => {
    try {
      fn();
    } catch (e) {
      onListenerError(e);
    }
  };
  return {
    on(name, listener) {
      let set = byName.get(name);
      if (!set) byName.set(name, (set = new Set()));
      const l = listener as (payload: unknown) => void;
      set.add(l);
      return () => void set.delete(l);
    },
    onAny(listener) {
      any.add(listener);
      return () => void any.delete(listener);
    },
    emit(name, payload) {
      for (const l of byName.get(name) ?? []) safe(() => l(payload));
      for (const l of any) safe(() => l(name, payload));
    },
  };
}
