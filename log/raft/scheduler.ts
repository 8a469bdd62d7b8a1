// The seam for time in the driver: a monotonic clock (for latencies) and a
// periodic timer (for ticks). The core never sees either; it counts ticks.

import { performance } from 'node:perf_hooks';

export interface Scheduler {
  /** Monotonic milliseconds; only differences mean anything. */
  nowMs(): number;
  /** Calls `callback` every `intervalMs` until the returned cancel function is called. */
  every(intervalMs: number, callback: () => void): () => void;
}

/**
 * Real time. The interval is unref'd: ticking alone must not keep the process
 * alive (listeners and pending I/O do).
 */
export const realScheduler: Scheduler = {
  nowMs: () => performance.now(),
  every(intervalMs, callback) {
    const timer = setInterval(callback, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  },
};

interface ManualTimer {
  readonly intervalMs: number;
  readonly callback: () => void;
  dueMs: number;
}

/** Time that moves only when a test says so. */
export class ManualScheduler implements Scheduler {
  private nowMsValue = 0;
  private readonly timers = new Set<ManualTimer>();

  nowMs(): number {
    return this.nowMsValue;
  }

  every(intervalMs: number, callback: () => void): () => void {
    const timer: ManualTimer = { intervalMs, callback, dueMs: this.nowMsValue + intervalMs };
    this.timers.add(timer);
    return () => {
      this.timers.delete(timer);
    };
  }

  /** Moves time forward by `ms`, firing due callbacks in time order. */
  advance(ms: number): void {
    const endMs = this.nowMsValue + ms;
    for (;;) {
      let next: ManualTimer | undefined;
      for (const timer of this.timers) if (timer.dueMs <= endMs && (next === undefined || timer.dueMs < next.dueMs)) next = timer;
      if (next === undefined) break;
      this.nowMsValue = next.dueMs;
      next.dueMs += next.intervalMs;
      next.callback();
    }
    this.nowMsValue = endMs;
  }

  activeTimerCount(): number {
    return this.timers.size;
  }
}
