import type { PushMessage, PushResult, PushSender } from '../../src/modules/notifications/push/push-sender.js';

/** Records what would go to FCM; answers from a script (default: sent). */
export class FakePushSender implements PushSender {
  readonly enabled = true;
  readonly sent: (PushMessage & { result: PushResult['kind'] })[] = [];
  private readonly script: PushResult[] = [];

  /** The next answers, in order; after them every send is `sent`. */
  answer(...results: PushResult[]): void {
    this.script.push(...results);
  }

  send(m: PushMessage): Promise<PushResult> {
    const result = this.script.shift() ?? { kind: 'sent' };
    this.sent.push({ ...m, result: result.kind });
    return Promise.resolve(result);
  }

  to(token: string) {
    return this.sent.filter((s) => s.token === token);
  }
}
