import { createServer, type Server as TcpServer, type Socket } from 'node:net';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { StartupError } from '../process/startup-error.js';
import { guardedConnection } from './frame-guard.js';

/** Where a connection goes once it is accepted: the broker, with the client's IP. */
export type MqttConnectionHandler = (conn: Duplex, ip: string, req?: IncomingMessage) => void;

export interface MqttListenerOptions {
  /** Packets announcing more are refused from their length header, before they are buffered. */
  maxPacketBytes: number;
  /** Take the client IP of a WebSocket upgrade from the first `X-Forwarded-For` entry. */
  trustProxy: boolean;
}

/**
 * The MQTT transport: a TCP listener and a WebSocket endpoint at `/mqtt` on the HTTP server.
 * Every connection passes the frame guard and reaches the handler with the IP it came from;
 * who the client is and what it may do is the broker's business, not the transport's.
 */
export class MqttListeners {
  private tcp: TcpServer | undefined;
  private wss: WebSocketServer | undefined;
  private httpServer: HttpServer | undefined;

  constructor(
    private readonly options: MqttListenerOptions,
    private readonly handler: MqttConnectionHandler,
  ) {}

  async listenTcp(host: string, port: number): Promise<void> {
    const server = createServer((socket: Socket) => this.accept(socket, socket.remoteAddress ?? 'unknown'));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          err.code === 'EADDRINUSE'
            ? new StartupError(`MQTT_TCP_PORT ${port} is in use: choose another port, or MQTT_TCP_ENABLED=false.`)
            : err,
        ),
      );
      server.listen(port, host, () => resolve());
    });
    this.tcp = server;
  }

  /** Answers WebSocket upgrades at `/mqtt` on this HTTP server; any other upgrade gets a 404. */
  attachWebSocket(httpServer: HttpServer): void {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.options.maxPacketBytes + 64 });
    this.httpServer = httpServer;
    httpServer.on('upgrade', this.onUpgrade);
  }

  /** Where MQTT over TCP listens (null when off). */
  tcpAddress(): { host: string; port: number } | null {
    const a = this.tcp?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : null;
  }

  /** Stops accepting and drops the WebSocket clients (the broker closes the TCP ones). */
  stopAccepting(): void {
    this.httpServer?.removeListener('upgrade', this.onUpgrade);
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    this.wss?.close();
    this.httpServer = undefined;
    this.wss = undefined;
  }

  async close(): Promise<void> {
    this.stopAccepting();
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }

  private accept(conn: Duplex, ip: string, req?: IncomingMessage): void {
    this.handler(guardedConnection(conn, this.options.maxPacketBytes), ip, req);
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mqtt' || !this.wss) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const ip = clientIp(req, this.options.trustProxy);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(createWebSocketStream(ws), ip, req));
  };
}

/** The client's IP: the first `X-Forwarded-For` entry behind a trusted proxy, else the peer. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = trustProxy ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
  return forwarded || req.socket.remoteAddress || 'unknown';
}
