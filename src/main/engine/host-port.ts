// The engine's line to main, whichever isolation runs it: a worker thread's parentPort, or the IPC channel of a
// forked child process (native backends, which can crash outside V8, run there so a crash cannot take main down).
import { parentPort } from 'node:worker_threads';

export interface HostPort {
  postMessage(msg: unknown): void;
  onMessage(listener: (msg: unknown) => void): void;
  /** No more messages: lets the thread or process end once its work is done (pending messages are delivered). */
  close(): void;
}

export function hostPort(): HostPort {
  if (parentPort) {
    const port = parentPort;
    return {
      postMessage: (msg) => port.postMessage(msg),
      onMessage: (listener) => void port.on('message', listener),
      close: () => port.close(),
    };
  }
  const send = process.send?.bind(process);
  if (!send) throw new Error('the training engine must run in a worker thread or a forked process');
  // Ctrl-C in a terminal signals the whole process group: main decides how the run stops (checkpoint first).
  process.on('SIGINT', () => {});
  // process.send is asynchronous: disconnect only once every message has been handed to the channel.
  let pending = 0;
  let closing = false;
  const disconnectIfDone = (): void => {
    if (closing && pending === 0 && process.connected) process.disconnect();
  };
  return {
    postMessage: (msg) => {
      if (!process.connected) return;
      pending++;
      send(msg, undefined, undefined, () => {
        pending--;
        disconnectIfDone();
      });
    },
    onMessage: (listener) => void process.on('message', listener),
    close: () => {
      closing = true;
      disconnectIfDone();
    },
  };
}
