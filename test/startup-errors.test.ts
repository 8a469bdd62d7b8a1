// Operator mistakes at start: each exits non-zero with a message naming what
// to fix, and never leaves a half-started server behind.
import { createServer, type Server } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, startServer, type TestServer } from './helpers/server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(): string {
  const dir = makeTempDir();
  cleanups.push(() => removeDir(dir));
  return dir;
}

async function startExpectingFailure(options: Parameters<typeof startServer>[0]): Promise<{ server: TestServer; code: number | null }> {
  const server = await startServer({ ...options, waitReady: false });
  cleanups.push(async () => { await server.stop(); });
  const status = await server.exited;
  return { server, code: status.code };
}

describe('startup errors', () => {
  it('names the port and its config key when http_port is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { server, code } = await startExpectingFailure({ dir: tempDir(), toml: { network: `http_port = ${port}` } });
    expect(code).not.toBe(0);
    expect(server.output()).toContain(`network.http_port = ${port}`);
    expect(server.output()).toContain('in use');
  });

  it('names network.pg_port when the PostgreSQL port is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { server, code } = await startExpectingFailure({ dir: tempDir(), toml: { network: `pg_port = ${port}` } });
    expect(code).not.toBe(0);
    expect(server.output()).toContain(`network.pg_port = ${port}`);
    expect(server.output()).toContain('in use');
  });

  it('names an unwritable data directory', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), 'not a directory');
    const badDir = join(dir, 'a-file', 'data');
    const { server, code } = await startExpectingFailure({ dir, toml: { storage: `data_dir = "${badDir}"` } });
    expect(code).not.toBe(0);
    expect(server.output()).toContain('storage.data_dir');
    expect(server.output()).toContain(badDir);
  });

  it('refuses a WAL directory already used by a running server', async () => {
    const dir = tempDir();
    const first = await startServer({ dir });
    cleanups.push(async () => { await first.stop(); });
    const { server, code } = await startExpectingFailure({ dir });
    expect(code).not.toBe(0);
    expect(server.output()).toContain('storage.wal_dir');
    expect(server.output()).toContain(`pid ${first.child.pid}`);
    expect((await first.get('/admin/ready')).status).toBe(200);
  });

  it('refuses to start on a WAL corrupted before its tail, naming file and offset', async () => {
    const dir = tempDir();
    const first = await startServer({ dir });
    expect((await first.stop()).code).toBe(0);
    const second = await startServer({ dir });
    expect((await second.stop()).code).toBe(0);
    // Two runs, so at least two records: damage the first one's payload area.
    const walDir = join(dir, 'wal');
    const segment = readdirSync(walDir).filter((f) => f.endsWith('.wal')).sort()[0];
    expect(segment).toBeDefined();
    const path = join(walDir, segment ?? '');
    const bytes = readFileSync(path);
    const recordCount = bytes.length;
    expect(recordCount).toBeGreaterThan(64);
    // Flip a byte early in the file but after the segment header.
    const target = Math.min(40, bytes.length - 30);
    bytes[target] = (bytes[target] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const { server, code } = await startExpectingFailure({ dir });
    expect(code).not.toBe(0);
    expect(server.output()).toContain(segment);
    expect(server.output()).toMatch(/offset/);
  });

  it('refuses cluster.peers that lists this node itself, naming the key', async () => {
    const dir = tempDir();
    const { server, code } = await startExpectingFailure({
      dir, toml: { network: 'grpc_port = 19999', cluster: 'peers = ["127.0.0.1:19999"]\nreplication_factor = 1' },
    });
    expect(code).not.toBe(0);
    expect(server.output()).toContain('cluster.peers');
    expect(server.output()).toContain("this node's own network.grpc_port");
  });

  it('names network.grpc_port when it is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const address = blocker.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { server, code } = await startExpectingFailure({ dir: tempDir(), toml: { network: `grpc_port = ${port}`, cluster: 'peers = ["127.0.0.1:1"]' } });
    expect(code).not.toBe(0);
    expect(server.output()).toContain(`network.grpc_port = ${port}: port already in use`);
  });
});
