import type { SessionInfo } from '../../client/src/sdk/types.js';

/**
 * A thin fetch wrapper for tests that speak raw HTTP (bad input, headers, auth edge cases): JSON in
 * and out, the status always visible, bodies untyped on purpose. Everything else goes through the
 * SDK (test/support/device.ts).
 */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class ApiClient {
  constructor(readonly baseUrl: string) {}

  async request<T = any>(
    method: string,
    path: string,
    opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: RequestInit['body'] } = {},
  ): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: RequestInit['body'] = opts.raw;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = JSON.stringify(opts.body);
    }
    const res = await fetch(this.baseUrl + path, { method, headers, body, duplex: 'half' });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  get<T = any>(path: string, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', path, { token });
  }
  post<T = any>(path: string, body: unknown, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('POST', path, { body, token });
  }
  patch<T = any>(path: string, body: unknown, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', path, { body, token });
  }
  delete<T = any>(path: string, token?: string): Promise<ApiResponse<T>> {
    return this.request<T>('DELETE', path, { token });
  }

  /** Registers a fresh account and returns its session. */
  async register(email = `u${Math.random().toString(36).slice(2)}@example.com`, password = 'correct horse battery'): Promise<Session & { email: string; password: string }> {
    const res = await this.post('/v1/auth/register', { email, password, deviceName: 'test phone', platform: 'android' });
    if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
    return { email, password, ...(res.body as Session) };
  }

  async login(email: string, password: string, deviceName = 'test pc', platform = 'linux'): Promise<Session> {
    const res = await this.post('/v1/auth/login', { email, password, deviceName, platform });
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as Session;
  }
}

/** What register and login answer (the SDK's type, generated from the OpenAPI document). */
export type Session = SessionInfo;
