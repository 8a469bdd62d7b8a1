// systemd's readiness protocol (sd_notify(3)) for `Type=notify` units: when
// NOTIFY_SOCKET is set, send "READY=1" once the node serves, "RELOADING=1"
// around a SIGHUP reload and "STOPPING=1" on shutdown. The datagram comes from
// the main pid itself, so the unit needs no NotifyAccess=all.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

/** The slice of unix-dgram (a CommonJS native addon without types) we use. */
interface UnixDgramSocket {
  send(buf: Buffer, offset: number, length: number, path: string, cb: (err?: Error) => void): void;
  close(): void;
  on(event: 'error', listener: (err: Error) => void): void;
}
interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

export interface SystemdNotifier {
  /** Sends one notification, e.g. "READY=1"; resolves whether or not systemd listens. */
  notify(state: string): Promise<void>;
  readonly enabled: boolean;
}

const disabled: SystemdNotifier = { enabled: false, notify: () => Promise.resolve() };

export function createSystemdNotifier(env: NodeJS.ProcessEnv, logger: Logger): SystemdNotifier {
  const socketPath = env['NOTIFY_SOCKET'];
  if (socketPath === undefined || socketPath === '') return disabled;
  if (socketPath.startsWith('@')) return abstractSocketNotifier(socketPath, logger);
  const require = createRequire(import.meta.url);
  const unixDgram = require('unix-dgram') as UnixDgramModule;
  return {
    enabled: true,
    notify(state: string): Promise<void> {
      return new Promise((resolve) => {
        // Never rejects: readiness reporting must not take the server down
        // (socket creation fails with EMFILE under a connection storm).
        const warn = (err: unknown): void => logger.warn({ err, socketPath, state }, 'sd_notify failed: is NOTIFY_SOCKET right?');
        try {
          const socket = unixDgram.createSocket('unix_dgram');
          socket.on('error', warn);
          const message = Buffer.from(state);
          socket.send(message, 0, message.length, socketPath, (err) => {
            if (err) warn(err);
            try {
              socket.close();
            } catch (closeErr) {
              warn(closeErr);
            }
            resolve();
          });
        } catch (err) {
          warn(err);
          resolve();
        }
      });
    },
  };
}

/**
 * unix-dgram copies the path with strncpy, so it cannot address Linux's
 * abstract namespace ("@name"); hand those to systemd-notify(1), naming our pid.
 */
function abstractSocketNotifier(socketPath: string, logger: Logger): SystemdNotifier {
  return {
    enabled: true,
    notify(state: string): Promise<void> {
      return new Promise((resolve) => {
        const child = spawn('systemd-notify', [`--pid=${process.pid}`, state], { stdio: 'ignore' });
        child.on('error', (err) => {
          logger.warn({ err, socketPath }, 'sd_notify via systemd-notify failed');
          resolve();
        });
        child.on('exit', () => resolve());
      });
    },
  };
}
