// systemd Type=notify: with NOTIFY_SOCKET set, the server sends READY=1 once
// it serves and STOPPING=1 when it stops, from its own pid.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeDir, startServer } from './helpers/server.js';

interface DgramSocket {
  bind(path: string): void;
  on(event: 'message', listener: (msg: Buffer) => void): void;
  close(): void;
}
const require = createRequire(import.meta.url);
const unixDgram = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DgramSocket };

const dir = makeTempDir('thunderdb-notify-');
afterAll(() => removeDir(dir));

describe('systemd notification', () => {
  it('sends READY=1 after start and STOPPING=1 on SIGTERM', async () => {
    const socketPath = join(dir, 'notify.sock');
    const messages: string[] = [];
    const socket = unixDgram.createSocket('unix_dgram');
    socket.on('message', (msg) => messages.push(msg.toString()));
    socket.bind(socketPath);
    try {
      const server = await startServer({ dir: makeTempDir(), env: { NOTIFY_SOCKET: socketPath } });
      const deadline = Date.now() + 5000;
      while (!messages.some((m) => m.includes('READY=1')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(messages.join('\n')).toContain('READY=1');
      expect(messages.join('\n')).toContain(`MAINPID=${server.child.pid}`);
      expect((await server.stop()).code).toBe(0);
      while (!messages.some((m) => m.includes('STOPPING=1')) && Date.now() < deadline + 5000) await new Promise((r) => setTimeout(r, 20));
      expect(messages.join('\n')).toContain('STOPPING=1');
      removeDir(server.dir);
    } finally {
      socket.close();
    }
  });
});
