import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';

/**
 * The typed in-process events modules use to react to each other without importing each
 * other. Each module declares its events by augmenting this interface:
 *
 *   declare module '../../common/events/event-bus.js' {
 *     interface DomainEvents { 'journal.appended': JournalAppended }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DomainEvents {}

type Handler<T> = (payload: T) => void | Promise<void>;

@Injectable()
export class EventBus {
  private readonly emitter = new EventEmitter({ captureRejections: false });
  private readonly logger = new Logger('EventBus');

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  /** Calls every handler; a failing handler is logged and never fails the emitter. */
  emit<K extends keyof DomainEvents>(name: K, payload: DomainEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  on<K extends keyof DomainEvents>(name: K, handler: Handler<DomainEvents[K]>): () => void {
    const wrapped = (payload: DomainEvents[K]): void => {
      try {
        const r = handler(payload);
        if (r instanceof Promise) r.catch((err: unknown) => this.fail(name as string, err));
      } catch (err) {
        this.fail(name, err);
      }
    };
    this.emitter.on(name, wrapped);
    return () => this.emitter.off(name, wrapped);
  }

  private fail(name: string, err: unknown): void {
    this.logger.error({ err, event: name }, 'event handler failed');
  }
}
