import { readFileSync } from 'node:fs';
import type { Message } from 'firebase-admin/messaging';
import { StartupError } from '../../../infra/process/startup-error.js';
import type { PushMessage, PushResult, PushSender } from './push-sender.js';

/**
 * The FCM message for a wake-up: data only (nothing shown), collapsed per namespace, short
 * TTL; normal priority on Android (FCM demotes high-priority messages that show nothing),
 * a background push on iOS (content-available, priority 5).
 */
export function toFcmMessage(m: PushMessage, now: Date): Message {
  return {
    token: m.token,
    data: m.data,
    android: { priority: 'normal', ttl: m.ttlSeconds * 1000, collapseKey: m.collapseKey },
    apns: {
      headers: {
        'apns-push-type': 'background',
        'apns-priority': '5',
        'apns-collapse-id': m.collapseKey,
        'apns-expiration': String(Math.floor(now.getTime() / 1000) + m.ttlSeconds),
      },
      payload: { aps: { contentAvailable: true } },
    },
  };
}

/** Maps an FCM error code to what to do about it. */
export function classifyFcmError(code: string | undefined): PushResult {
  switch (code) {
    case 'messaging/registration-token-not-registered':
    case 'messaging/invalid-registration-token':
      return { kind: 'invalid-token' };
    case 'messaging/too-many-requests':
    case 'messaging/message-rate-exceeded':
    case 'messaging/device-message-rate-exceeded':
    case 'messaging/quota-exceeded':
    case 'messaging/internal-error':
    case 'messaging/server-unavailable':
    case 'messaging/unavailable':
      return { kind: 'retry' };
    default:
      return { kind: 'failed', reason: code ?? 'unknown error' };
  }
}

export class FirebasePushSender implements PushSender {
  readonly enabled = true;

  private constructor(private readonly send_: (m: Message) => Promise<string>) {}

  /** Loads firebase-admin only when FCM is configured (it is a heavy import). */
  static async create(credentialsFile: string): Promise<FirebasePushSender> {
    let credentials: Record<string, unknown>;
    try {
      credentials = JSON.parse(readFileSync(credentialsFile, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new StartupError(`FCM_CREDENTIALS_FILE ${credentialsFile} is not a readable JSON service account: ${(err as Error).message}`);
    }
    const { initializeApp, cert } = await import('firebase-admin/app');
    const { getMessaging } = await import('firebase-admin/messaging');
    const app = initializeApp({ credential: cert(credentials) }, `pocketcloud-${Date.now()}`);
    const messaging = getMessaging(app);
    return new FirebasePushSender((m) => messaging.send(m));
  }

  async send(m: PushMessage): Promise<PushResult> {
    try {
      await this.send_(toFcmMessage(m, new Date()));
      return { kind: 'sent' };
    } catch (err) {
      return classifyFcmError((err as { code?: string }).code);
    }
  }
}
