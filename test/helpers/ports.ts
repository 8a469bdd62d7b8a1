// Free loopback ports for tests: never assume 5432/3306/6379/8088 are free.
//
// Ports come from below the kernel's ephemeral range, not from listen(0):
// the kernel gives listen(0) and every outgoing connection's source port from
// that range, so a port found free there could be taken, before the server
// under test binds it, by any client socket of a test running in parallel
// (seen in CI: a cluster node's grpc_port "already in use"). Below the range
// only another test's explicit choice can collide, and it picks at random.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const attemptsMax = 200;

/** The first port of the kernel's ephemeral range (Linux's default when unreadable). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 0 ? low : 32768;
  } catch {
    return 32768;
  }
}

const rangeLow = 10000;
const rangeHigh = Math.max(rangeLow + 1000, ephemeralLow()) - 1;

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : null;
      server.close(() => resolve(bound));
    });
  });
}

async function onePort(): Promise<number> {
  for (let attempt = 0; attempt < attemptsMax; attempt++) {
    const port = await tryListen(rangeLow + Math.floor(Math.random() * (rangeHigh - rangeLow + 1)));
    if (port !== null) return port;
  }
  // Everything tried was busy: let the kernel choose.
  const port = await tryListen(0);
  if (port === null) throw new Error('no free loopback port found');
  return port;
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await onePort());
  return [...ports];
}
