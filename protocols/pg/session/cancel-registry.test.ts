// The listener-wide registry that routes CancelRequests to sessions.
import { describe, expect, it } from 'vitest';
import { CancelRegistry, processIdFirst, processIdMax } from './cancel-registry.js';

function target(): { cancel(): void; count: number } {
  return { count: 0, cancel() { this.count++; } };
}

describe('CancelRegistry', () => {
  it('cancels only with the matching process id and secret key', () => {
    const registry = new CancelRegistry();
    const a = target();
    const b = target();
    const keyA = registry.register(a);
    const keyB = registry.register(b);
    expect(keyB.processId).not.toBe(keyA.processId);
    expect(registry.cancel(keyA.processId, keyA.secretKey + 1)).toBe(false);
    expect(registry.cancel(keyA.processId + 1000, keyA.secretKey)).toBe(false);
    expect(a.count).toBe(0);
    expect(registry.cancel(keyA.processId, keyA.secretKey)).toBe(true);
    expect([a.count, b.count]).toEqual([1, 0]);
  });

  it('forgets a session once unregistered, and only with its own key', () => {
    const registry = new CancelRegistry();
    const a = target();
    const key = registry.register(a);
    registry.unregister({ processId: key.processId, secretKey: key.secretKey ^ 1 });
    expect(registry.size).toBe(1);
    registry.unregister(key);
    expect(registry.size).toBe(0);
    expect(registry.cancel(key.processId, key.secretKey)).toBe(false);
    expect(a.count).toBe(0);
  });

  it('draws a fresh secret per session and wraps process ids past the largest, skipping ids in use', () => {
    let next = 0;
    const registry = new CancelRegistry(() => ++next);
    const first = registry.register(target());
    expect(first).toEqual({ processId: processIdFirst, secretKey: 1 });
    // Walk the counter to the end of the range without registering 2^31 sessions.
    (registry as unknown as { nextProcessId: number }).nextProcessId = processIdMax;
    expect(registry.register(target()).processId).toBe(processIdMax);
    expect(registry.register(target()).processId).toBe(processIdFirst + 1);
  });
});
