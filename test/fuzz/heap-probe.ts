import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

export interface MemorySample {
  /** V8 heap in use right after a full garbage collection. */
  heapUsed: number;
  /** Resident set size of the process. */
  rss: number;
}

/**
 * Reads a server process's memory through the V8 inspector (the server runs with
 * `--inspect=127.0.0.1:0`): a full GC first, then `process.memoryUsage()`. Heap after GC is
 * what leaks show in; RSS also moves with allocator caches and is reported beside it.
 */
export class HeapProbe {
  private constructor(private readonly ws: WebSocket) {}

  private nextId = 1;
  private readonly pending = new Map<number, (msg: any) => void>();

  static async connect(inspectorUrl: string): Promise<HeapProbe> {
    const ws = new WebSocket(inspectorUrl);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const probe = new HeapProbe(ws);
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { id?: number };
      if (msg.id !== undefined) probe.pending.get(msg.id)?.(msg);
    });
    return probe;
  }

  /** The `ws://…` URL a Node process started with `--inspect` printed on stderr. */
  static urlFrom(lines: readonly string[]): string | undefined {
    for (const l of lines) {
      const m = /Debugger listening on (ws:\/\/\S+)/.exec(l);
      if (m) return m[1];
    }
    return undefined;
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`inspector: no answer to ${method}`)), 30_000);
      this.pending.set(id, (msg) => {
        clearTimeout(timer);
        this.pending.delete(id);
        if (msg.error) reject(new Error(`inspector ${method}: ${JSON.stringify(msg.error)}`));
        else resolve(msg.result);
      });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  async sample(pid: number): Promise<MemorySample> {
    await this.call('HeapProfiler.collectGarbage');
    const r = await this.call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const usage = JSON.parse(r.result.value as string) as { heapUsed: number };
    return { heapUsed: usage.heapUsed, rss: rssOf(pid) };
  }

  close(): void {
    this.ws.close();
  }
}

/** Resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return kb ? Number(kb[1]) * 1024 : 0;
}
