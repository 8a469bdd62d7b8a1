// How the driver talks to peers. Single node: no transport. Later: the
// gRPC transport on grpc_port implements this; the core and driver stay as they are.

import type { Message } from './core/messages.js';

export interface Transport {
  /**
   * Sends messages, best effort: they may be dropped, delayed, duplicated or
   * reordered, and Raft copes. Must not throw and must not block. Called only
   * after the entries and hard state they depend on are durable.
   */
  send(messages: readonly Message[]): void;
  /**
   * Delivers incoming messages to `receive` (on the event loop, never
   * re-entrantly from send) until the returned function is called.
   */
  subscribe(receive: (message: Message) => void): () => void;
}
