// The gRPC transport (log/grpc) in one process over loopback: handshake,
// delivery both ways, refusals (another cluster, duplicate node ids),
// drops while disconnected, and reconnecting after a peer restarts.
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EntryKind, GrpcTransport, type Message } from '../log/index.js';
import { freePorts } from './helpers/ports.js';

const open: GrpcTransport[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});

interface Captured {
  readonly logger: Logger;
  readonly lines: string[];
}

function capture(): Captured {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => { lines.push(line); } });
  return { logger, lines };
}

function transport(nodeId: number, port: number, peers: number[], clusterName = 'c', log = capture()): GrpcTransport {
  const t = new GrpcTransport({
    nodeId, clusterName, listenAddr: '127.0.0.1', port, advertiseAddr: `127.0.0.1:${port}`, pgPort: 5000 + nodeId, httpPort: 0,
    peers: peers.map((p) => `127.0.0.1:${p}`), logger: log.logger,
    limits: { reconnectDelayMsMin: 20, reconnectDelayMsMax: 100, refusedRetryDelayMs: 200 },
  });
  open.push(t);
  return t;
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GrpcTransport', () => {
  it('learns peer ids by handshake and delivers messages both ways, entries intact', async () => {
    const [pa, pb] = await freePorts(2) as [number, number];
    const a = transport(1, pa, [pb]);
    const b = transport(2, pb, [pa]);
    await Promise.all([a.start(), b.start()]);
    expect([...(await a.waitForPeerIds())]).toEqual([[`127.0.0.1:${pb}`, 2]]);
    expect([...(await b.waitForPeerIds())]).toEqual([[`127.0.0.1:${pa}`, 1]]);
    await until('both streams open', () => a.peers()[0]?.connected === true && b.peers()[0]?.connected === true);
    expect(a.peers()[0]?.pgPort).toBe(5002);
    const atB: Message[] = [];
    const atA: Message[] = [];
    b.subscribe((m) => atB.push(m));
    a.subscribe((m) => atA.push(m));
    const data = Buffer.alloc(100_000, 3);
    const append: Message = {
      kind: 'AppendRequest', from: 1, to: 2, term: 4, prevLogIndex: 9, prevLogTerm: 3, commitIndex: 8, commitOnly: false,
      entries: [{ index: 10, term: 4, kind: EntryKind.Normal, data }, { index: 11, term: 4, kind: EntryKind.Empty, data: Buffer.alloc(0) }],
    };
    const heartbeats: Message[] = Array.from({ length: 500 }, (_, k) => ({ kind: 'Heartbeat', from: 1, to: 2, term: 4, commitIndex: k, readRound: 0 }));
    a.send([append, ...heartbeats]);
    b.send([{ kind: 'AppendAccepted', from: 2, to: 1, term: 4, matchIndex: 11 }]);
    await until('messages delivered', () => atB.length === 501 && atA.length === 1);
    expect(atB[0]).toEqual(append);
    expect(atB.slice(1).map((m) => (m.kind === 'Heartbeat' ? m.commitIndex : -1))).toEqual(heartbeats.map((_, k) => k));
    expect(atA[0]).toEqual({ kind: 'AppendAccepted', from: 2, to: 1, term: 4, matchIndex: 11 });
    expect(a.lastReceivedMs(2)).toBeGreaterThan(0);
  });

  it('refuses a node of another cluster on both sides, with a log line naming both names', async () => {
    const [pa, pb] = await freePorts(2) as [number, number];
    const logA = capture();
    const logB = capture();
    const a = transport(1, pa, [pb], 'alpha', logA);
    const b = transport(2, pb, [pa], 'beta', logB);
    await Promise.all([a.start(), b.start()]);
    await until('refusals logged', () =>
      logA.lines.some((l) => l.includes('refusing peer') && l.includes('belongs to cluster \\"beta\\", this node to cluster \\"alpha\\"')) &&
      logA.lines.some((l) => l.includes('refusing node 2') && l.includes('belongs to cluster \\"beta\\"')) &&
      logB.lines.some((l) => l.includes('refusing peer') && l.includes('belongs to cluster \\"alpha\\", this node to cluster \\"beta\\"')));
    expect(a.peerIds().size).toBe(0);
    expect(a.peers()[0]?.state).toBe('refused');
  });

  it('refuses a peer with this node\'s id and two peers with one id', async () => {
    const [pa, pb, pc, pd] = await freePorts(4) as [number, number, number, number];
    const logA = capture();
    const a = transport(1, pa, [pb, pc, pd], 'c', logA);
    const b = transport(1, pb, [], 'c');
    const c = transport(3, pc, [], 'c');
    const d = transport(3, pd, [], 'c');
    await Promise.all([a.start(), b.start(), c.start(), d.start()]);
    await until('refusals logged', () =>
      logA.lines.some((l) => l.includes(`refusing peer 127.0.0.1:${pb}`) && l.includes('duplicate node id')) &&
      logA.lines.some((l) => l.includes('refusing peer') && l.includes('it says it is node 3, as does the peer')));
    expect([...a.peerIds().values()]).toEqual([3]);
  });

  it('drops messages while disconnected and reconnects when the peer comes back on its port', async () => {
    const [pa, pb] = await freePorts(2) as [number, number];
    const a = transport(1, pa, [pb]);
    let b = transport(2, pb, [pa]);
    await Promise.all([a.start(), b.start()]);
    await a.waitForPeerIds();
    await until('connected', () => a.peers()[0]?.connected === true);
    await b.close();
    await until('disconnected', () => a.peers()[0]?.connected === false);
    a.send([{ kind: 'TimeoutNow', from: 1, to: 2, term: 1 }, { kind: 'TimeoutNow', from: 1, to: 7, term: 1 }]);
    expect(a.peers()[0]?.droppedMessages).toBe(1);
    b = transport(2, pb, [pa]);
    const atB: Message[] = [];
    b.subscribe((m) => atB.push(m));
    await b.start();
    await until('reconnected', () => a.peers()[0]?.connected === true);
    a.send([{ kind: 'TimeoutNow', from: 1, to: 2, term: 2 }]);
    await until('delivered after reconnect', () => atB.length === 1);
  });

  it('names grpc_port in use', async () => {
    const [pa] = await freePorts(1) as [number];
    const a = transport(1, pa, []);
    await a.start();
    const b = transport(2, pa, []);
    await expect(b.start()).rejects.toMatchObject({ name: 'TransportListenError' });
  });
});
