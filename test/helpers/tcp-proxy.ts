// A TCP proxy a test controls, to partition real processes: it listens on a
// free loopback port and forwards every connection to a target. cut() destroys
// the open connections and refuses new ones (accepted, then destroyed at once,
// so the dialler sees a reset and retries with its backoff) until heal().
import { createServer, connect, type Server, type Socket } from 'node:net';

export class TcpProxy {
  private readonly sockets = new Set<Socket>();
  private cutNow = false;

  private constructor(private readonly server: Server, readonly port: number, readonly targetPort: number) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpProxy> {
    // The handler needs the proxy, which needs the bound port: filled in below.
    const holder: { proxy?: TcpProxy } = {};
    const server = createServer((client) => {
      if (holder.proxy === undefined) client.destroy();
      else holder.proxy.accept(client, targetHost);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
    const proxy = new TcpProxy(server, address.port, targetPort);
    holder.proxy = proxy;
    return proxy;
  }

  get addr(): string {
    return `127.0.0.1:${this.port}`;
  }

  get isCut(): boolean {
    return this.cutNow;
  }

  /** Drops every open connection and refuses new ones until heal(). */
  cut(): void {
    this.cutNow = true;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }

  heal(): void {
    this.cutNow = false;
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket, targetHost: string): void {
    if (this.cutNow) {
      client.destroy();
      return;
    }
    client.setNoDelay(true);
    const upstream = connect({ port: this.targetPort, host: targetHost, noDelay: true });
    this.track(client);
    this.track(upstream);
    // Either side ending or failing ends both: the proxy must never hold half a link open.
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}
