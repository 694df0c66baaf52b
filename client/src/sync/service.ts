import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'chokidar';
import path from 'node:path';
import { backoffMs } from '../sdk/async.js';
import { SessionEndedError } from '../sdk/errors.js';
import { PokeSubscriber } from '../sdk/pokes.js';
import { TEMP_PREFIX, STATE_DIR } from './fs-scan.js';
import { PushInterrupted, type SyncEngine, type SyncReport } from './engine.js';

export interface ServiceOptions {
  engine: SyncEngine;
  /** Watch the folder with chokidar (default true). */
  watch?: boolean;
  /** MQTT URL for pokes (mqtt:// or ws://…/mqtt); none: rely on the periodic delta read. */
  mqttUrl?: string | null;
  /** Periodic delta read, the fallback when pokes are lost (default 60 s). */
  intervalMs?: number;
  /** Quiet time after a file-system event before a cycle (default 100 ms). */
  debounceMs?: number;
  /** Use chokidar's polling (network file systems). */
  poll?: boolean;
}

export interface ServiceEvents {
  synced: [report: SyncReport];
  offline: [error: string, retryInMs: number];
  error: [error: Error];
  pokes: [state: 'connected' | 'disconnected', detail?: string];
  notice: [message: Record<string, unknown>];
  stopped: [];
}

/**
 * Keeps a folder in sync: the watcher marks the folder dirty, a poke (or the periodic timer)
 * marks the server dirty, and one loop runs the engine's cycles one at a time. When the server
 * cannot be reached, the loop backs off and tries again; the queue waits in SQLite.
 */
export class SyncService extends EventEmitter<ServiceEvents> {
  private watcher: FSWatcher | null = null;
  private pokes: PokeSubscriber | null = null;
  private timer: NodeJS.Timeout | null = null;
  private debounce: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  private wanted = false;
  private running: Promise<void> | null = null;
  private failures = 0;
  private stopped = false;
  cycles = 0;

  constructor(private readonly opts: ServiceOptions) {
    super();
  }

  async start(): Promise<void> {
    const { engine } = this.opts;
    const root = engine.opts.root;
    if (this.opts.watch !== false) {
      this.watcher = watch(root, {
        ignoreInitial: true,
        persistent: true,
        usePolling: this.opts.poll ?? false,
        ignored: (p: string) => {
          const rel = path.relative(root, p);
          return rel === STATE_DIR || rel.startsWith(`${STATE_DIR}${path.sep}`) || path.basename(p).startsWith(TEMP_PREFIX);
        },
      });
      this.watcher.on('all', () => this.trigger(this.opts.debounceMs ?? 100));
      this.watcher.on('error', (err) => this.emit('error', err as Error));
      await new Promise<void>((resolve) => this.watcher!.once('ready', () => resolve()));
    }
    if (this.opts.mqttUrl) {
      const s = engine.opts.client.session;
      this.pokes = new PokeSubscriber({
        url: this.opts.mqttUrl,
        deviceId: s.deviceId,
        userId: s.userId,
        token: () => engine.opts.client.accessToken(),
      });
      // Every poke means "read the delta" (the cursor is opaque; an empty read is cheap).
      this.pokes.on('poke', () => this.trigger(0));
      this.pokes.on('notice', (m) => this.emit('notice', m));
      this.pokes.on('connected', () => this.emit('pokes', 'connected'));
      this.pokes.on('disconnected', (why) => this.emit('pokes', 'disconnected', why));
      this.pokes.start();
    }
    const every = this.opts.intervalMs ?? 60_000;
    this.timer = setInterval(() => this.trigger(0), every);
    this.trigger(0);
  }

  /** Asks for a cycle after `delayMs` of quiet (events keep pushing it back). */
  trigger(delayMs = 0): void {
    if (this.stopped) return;
    if (this.debounce) clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = null;
      this.wanted = true;
      this.kick();
    }, delayMs);
  }

  private kick(): void {
    if (this.running || this.stopped || this.retry) return;
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    while (this.wanted && !this.stopped) {
      this.wanted = false;
      try {
        const report = await this.opts.engine.syncOnce();
        this.cycles++;
        this.failures = 0;
        this.emit('synced', report);
        if (this.opts.engine.rescanWanted || report.localConflicts > 0) this.wanted = true;
      } catch (err) {
        if (err instanceof SessionEndedError) {
          this.emit('error', err);
          await this.stop();
          return;
        }
        const wait = backoffMs(this.failures++, 500, 60_000);
        if (err instanceof PushInterrupted || isNetwork(err)) this.emit('offline', (err as Error).message, wait);
        else this.emit('error', err as Error);
        this.retry = setTimeout(() => {
          this.retry = null;
          this.wanted = true;
          this.kick();
        }, wait);
        return;
      }
    }
  }

  /** Resolves when no cycle runs and none is due (tests and the benchmark wait on it). */
  async idle(): Promise<void> {
    for (;;) {
      if (this.running) await this.running;
      else if (this.debounce || this.wanted) await new Promise((r) => setTimeout(r, 20));
      else return;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of [this.timer, this.debounce, this.retry]) if (t) clearTimeout(t);
    if (this.timer) clearInterval(this.timer);
    await this.watcher?.close();
    await this.pokes?.stop();
    await this.running?.catch(() => undefined);
    this.emit('stopped');
  }
}

function isNetwork(err: unknown): boolean {
  return err instanceof Error && (err.name === 'NetworkError' || err.name === 'PushInterrupted');
}
