// Where a replicated commit's time goes, for performance work only: set
// THUNDER_RAFT_TRACE=1 (not THUNDERDB_: that prefix is configuration) and every node prints, every 4 s on stderr, the count,
// mean and p50 (ms) of each stage it saw:
//
//   leader.rtt          AppendRequest with entries handed to the transport ->
//                       the follower's AppendAccepted covering them stepped
//   leader.wal          this Ready's WAL append (leader: parallel to followers)
//   leader.commit       proposal -> its entry emitted on committed$
//   follower.queue      AppendRequest with entries received -> its Ready starts
//   follower.wal        that Ready's WAL append
//   follower.answer     AppendRequest received -> answer handed to the transport
//
// leader.rtt minus follower.answer is the transport both ways plus waiting for
// each event loop. Off (the default) it costs one boolean test per message and
// per Ready. Not a metric: the numbers are per process and unlabelled.

const enabled = process.env['THUNDER_RAFT_TRACE'] === '1';
const reportIntervalMs = 4000;
/** Appends never answered (dropped) must not pile up. */
const sentTrackedMax = 1024;

interface Stage {
  values: number[];
  sum: number;
}

class LatencyTrace {
  private readonly stages = new Map<string, Stage>();
  /** Per follower id: [last entry index, time sent] of appends not yet answered. */
  private readonly sent = new Map<number, [number, number][]>();
  private sentCount = 0;
  private receivedAtMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  record(stage: string, ms: number): void {
    this.timer ??= setInterval(() => this.report(), reportIntervalMs).unref();
    let s = this.stages.get(stage);
    if (s === undefined) {
      s = { values: [], sum: 0 };
      this.stages.set(stage, s);
    }
    s.values.push(ms);
    s.sum += ms;
  }

  appendSent(to: number, lastIndex: number, atMs: number): void {
    if (this.sentCount >= sentTrackedMax) {
      this.sent.clear();
      this.sentCount = 0;
    }
    let list = this.sent.get(to);
    if (list === undefined) {
      list = [];
      this.sent.set(to, list);
    }
    list.push([lastIndex, atMs]);
    this.sentCount += 1;
  }

  appendAccepted(from: number, matchIndex: number, atMs: number): void {
    const list = this.sent.get(from);
    if (list === undefined) return;
    while (list.length > 0 && (list[0]?.[0] ?? Infinity) <= matchIndex) {
      const sent = list.shift();
      this.sentCount -= 1;
      if (sent !== undefined) this.record('leader.rtt', atMs - sent[1]);
    }
  }

  /** A follower received entries; later stages are measured from here. */
  appendReceived(atMs: number): void {
    this.receivedAtMs = atMs;
  }

  receivedAt(): number | undefined {
    return this.receivedAtMs;
  }

  private report(): void {
    const parts: string[] = [];
    for (const [name, s] of this.stages) {
      if (s.values.length === 0) continue;
      const sorted = s.values.sort((a, b) => a - b);
      const p50 = sorted[sorted.length >> 1] ?? 0;
      parts.push(`${name} n=${sorted.length} mean=${(s.sum / sorted.length).toFixed(3)} p50=${p50.toFixed(3)}`);
    }
    this.stages.clear();
    if (parts.length > 0) process.stderr.write(`raft trace pid ${process.pid}: ${parts.join(' | ')}\n`);
  }
}

/** The process's trace, or undefined when THUNDER_RAFT_TRACE is not 1. */
export const latencyTrace: LatencyTrace | undefined = enabled ? new LatencyTrace() : undefined;
