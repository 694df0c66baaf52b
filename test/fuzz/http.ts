import http from 'node:http';
import net from 'node:net';

/** One request exactly as the fuzzer sends it: duplicate headers and odd bodies allowed. */
export interface FuzzRequest {
  method: string;
  /** Path and query, already encoded as they go on the wire. */
  path: string;
  headers: [string, string][];
  body?: Buffer;
  /**
   * `normal`: send and read the answer. `abort`: announce the whole body, send part of it and
   * hang up (the server must cope, nothing to assert but its health). `raw`: these exact bytes
   * on a fresh socket (`body` holds them), for what an HTTP client library refuses to send.
   */
  transport: 'normal' | 'abort' | 'raw';
}

export interface FuzzResponse {
  /** The status, or null when there was no answer (the connection failed or closed first). */
  status: number | null;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The parsed body when it is JSON. */
  json: any;
  /** Why there was no answer. */
  error?: string;
  ms: number;
}

const TIMEOUT_MS = 30_000;

export class FuzzHttp {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  readonly host: string;
  readonly port: number;

  constructor(baseUrl: string) {
    const u = new URL(baseUrl);
    this.host = u.hostname;
    this.port = Number(u.port);
  }

  send(req: FuzzRequest): Promise<FuzzResponse> {
    return req.transport === 'raw' ? this.raw(req.body ?? Buffer.alloc(0)) : this.viaHttp(req);
  }

  close(): void {
    this.agent.destroy();
  }

  private viaHttp(req: FuzzRequest): Promise<FuzzResponse> {
    const started = performance.now();
    return new Promise((resolve) => {
      let settled = false;
      const done = (r: Omit<FuzzResponse, 'ms'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...r, ms: performance.now() - started });
      };
      const fail = (error: string) => done({ status: null, headers: {}, body: Buffer.alloc(0), json: undefined, error });
      // An aborted upload closes its socket: keep it off the shared pool.
      const cr = http.request({ host: this.host, port: this.port, method: req.method, path: req.path, agent: req.transport === 'abort' ? false : this.agent });
      const timer = setTimeout(() => {
        fail(`no answer within ${TIMEOUT_MS} ms`);
        cr.destroy();
      }, TIMEOUT_MS);
      const grouped = new Map<string, { name: string; values: string[] }>();
      for (const [name, value] of req.headers) {
        const g = grouped.get(name.toLowerCase()) ?? { name, values: [] };
        g.values.push(value);
        grouped.set(name.toLowerCase(), g);
      }
      // Node frames a GET, DELETE or OPTIONS body only when told its length; unframed, its
      // bytes would read as the start of the next request on the socket.
      if (req.body && !grouped.has('content-length') && !grouped.has('transfer-encoding')) {
        grouped.set('content-length', { name: 'content-length', values: [String(req.body.length)] });
      }
      try {
        for (const { name, values } of grouped.values()) cr.setHeader(name, values.length === 1 ? values[0]! : values);
      } catch (err) {
        // A header value Node refuses to send is a bug of the generator, not of the server.
        fail(`client refused the request: ${(err as Error).message}`);
        return;
      }
      cr.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => fail(`response failed: ${e.message}`));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          let json: unknown;
          if ((res.headers['content-type'] ?? '').includes('json') && body.length > 0) {
            try {
              json = JSON.parse(body.toString('utf8'));
            } catch {
              json = undefined;
            }
          }
          done({ status: res.statusCode ?? null, headers: res.headers, body, json });
        });
      });
      cr.on('error', (e) => fail(`${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}`));
      if (req.transport === 'abort') {
        const body = req.body ?? Buffer.alloc(0);
        cr.write(body.subarray(0, Math.floor(body.length / 2)));
        setTimeout(() => {
          if (!settled) {
            cr.destroy();
            fail('aborted by the fuzzer');
          }
        }, 25);
        return;
      }
      cr.end(req.body);
    });
  }

  /** Writes bytes on a fresh socket and reads until the server closes it (or a short timeout). */
  private raw(bytes: Buffer): Promise<FuzzResponse> {
    const started = performance.now();
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const sock = net.connect(this.port, this.host);
      let settled = false;
      const finish = (error?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        sock.destroy();
        const text = Buffer.concat(chunks).toString('latin1');
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        const status = m ? Number(m[1]) : null;
        resolve({
          status,
          headers: {},
          body: Buffer.concat(chunks),
          json: undefined,
          ...(status === null ? { error: error ?? 'the server closed the connection without an answer' } : {}),
          ms: performance.now() - started,
        });
      };
      // Raw requests say `Connection: close`; the server answers and closes. A malformed one it
      // may just close. Either way two seconds is plenty.
      const timer = setTimeout(() => finish('no answer within 2000 ms'), 2000);
      sock.on('data', (c: Buffer) => {
        chunks.push(c);
        // The status line is all we need; stop reading a streamed body.
        if (Buffer.concat(chunks).includes('\r\n\r\n')) finish();
      });
      sock.on('end', () => finish());
      sock.on('error', (e) => finish(`${(e as NodeJS.ErrnoException).code ?? 'error'}: ${e.message}`));
      sock.on('connect', () => sock.write(bytes));
    });
  }
}
