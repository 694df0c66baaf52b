import type { Platform } from '../../auth/auth.types.js';

/** One data-only wake-up for one device. */
export interface PushMessage {
  token: string;
  platform: Platform;
  /** FCM data payload: string values only. */
  data: Record<string, string>;
  /** Newer wake-ups replace older ones that were not delivered yet (one per namespace). */
  collapseKey: string;
  ttlSeconds: number;
}

export type PushResult =
  | { kind: 'sent' }
  /** The token is dead (app uninstalled, token rotated): forget it. */
  | { kind: 'invalid-token' }
  /** Rate-limited or a server error: try again later. */
  | { kind: 'retry'; afterMs?: number }
  | { kind: 'failed'; reason: string };

/** Sends wake-ups: Firebase Cloud Messaging in production, a recording fake in tests. */
export interface PushSender {
  readonly enabled: boolean;
  send(message: PushMessage): Promise<PushResult>;
}

export const PUSH_SENDER = Symbol('PushSender');

/** When no Firebase credentials are configured. */
export class DisabledPushSender implements PushSender {
  readonly enabled = false;
  send(): Promise<PushResult> {
    return Promise.resolve({ kind: 'failed', reason: 'FCM is not configured' });
  }
}
