// An in-memory Transport for driver tests: delivers each message on a later
// macrotask (never re-entrantly), and can cut a node off.

import type { Message } from '../core/messages.js';
import type { Transport } from '../transport.js';

export class MemoryTransportHub {
  private readonly receivers = new Map<number, (message: Message) => void>();
  private readonly isolated = new Set<number>();
  /** Every message sent, in order, for assertions. */
  readonly sent: Message[] = [];

  transport(id: number): Transport {
    return {
      send: (messages) => {
        for (const message of messages) {
          this.sent.push(message);
          setImmediate(() => this.deliver(message));
        }
      },
      subscribe: (receive) => {
        this.receivers.set(id, receive);
        return () => {
          this.receivers.delete(id);
        };
      },
    };
  }

  isolate(id: number): void {
    this.isolated.add(id);
  }

  heal(): void {
    this.isolated.clear();
  }

  private deliver(message: Message): void {
    if (this.isolated.has(message.from) || this.isolated.has(message.to)) return;
    this.receivers.get(message.to)?.(message);
  }
}
