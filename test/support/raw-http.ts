// Raw HTTP, for what fetch will not do: chunked bodies, bodies cut short.
import http from 'node:http';

export interface RawResult {
  status: number | null;
  body: any;
  /** Set when the connection ended without a response. */
  error?: string;
}

/**
 * A request through node:http. `chunks` are written in order; `contentLength` (if given) is
 * sent as is, whatever the chunks add up to; without it Node sends `Transfer-Encoding:
 * chunked`. With `cutOff`, the socket is destroyed after the chunks instead of ending the body.
 */
export function rawRequest(
  baseUrl: string,
  opts: { method: string; path: string; headers?: Record<string, string>; chunks?: Buffer[]; contentLength?: number; cutOff?: boolean },
): Promise<RawResult> {
  const url = new URL(opts.path, baseUrl);
  return new Promise((resolve) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.contentLength !== undefined) headers['content-length'] = String(opts.contentLength);
    const req = http.request(url, { method: opts.method, headers });
    let settled = false;
    const done = (r: RawResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        let body: any = text;
        if ((res.headers['content-type'] ?? '').includes('json') && text) body = JSON.parse(text);
        done({ status: res.statusCode ?? null, body });
      });
      res.on('error', (err) => done({ status: res.statusCode ?? null, body: null, error: err.message }));
    });
    req.on('error', (err) => done({ status: null, body: null, error: err.message }));
    req.on('close', () => done({ status: null, body: null, error: 'closed without a response' }));
    void (async () => {
      for (const c of opts.chunks ?? []) {
        if (!req.write(c)) await new Promise((r) => req.once('drain', r));
      }
      if (opts.cutOff) {
        // Let the bytes reach the server before the connection goes away.
        await new Promise((r) => setTimeout(r, 100));
        req.destroy();
      } else {
        req.end();
      }
    })();
  });
}
