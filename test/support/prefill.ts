import type { ApiClient } from './api-client.js';

/** An account's tree to grow: its token, root id and a base cursor for its writes. */
export interface FillTarget {
  token: string;
  root: string;
  cursor: string;
}

/**
 * Adds `n` folders to an account's tree through the API: a folder `<label>-<k>` under the root
 * per batch, holding the rest of the batch (`batch` operations per POST /v1/batch). How the
 * scale benchmark and the soak's pre-filled server grow a world.
 */
export async function fillFolders(api: ApiClient, to: FillTarget, n: number, label: string, batch = 1000): Promise<void> {
  for (let done = 0; done < n; ) {
    const count = Math.min(batch, n - done);
    const parent = await ok(api.post('/v1/folders', { parentId: to.root, name: `${label}-${done}`, baseCursor: to.cursor }, to.token));
    const ops = Array.from({ length: count - 1 }, (_, i) => ({ type: 'createFolder', parentId: parent.entry.id, name: `d${i}`, baseCursor: to.cursor }));
    if (ops.length > 0) await postBatch(api, to.token, ops);
    done += count;
  }
}

/** POST /v1/batch; throws unless every operation succeeded. */
export async function postBatch(api: ApiClient, token: string, ops: object[]): Promise<void> {
  const res = await ok(api.post('/v1/batch', { ops }, token));
  const failed = (res.results as { status: number }[]).find((r) => r.status >= 300);
  if (failed) throw new Error(`batch: ${JSON.stringify(failed)}`);
}

/** A new account ready to be filled. */
export async function fillTarget(api: ApiClient, label: string): Promise<FillTarget> {
  const s = await api.register(`${label}-${Math.random().toString(36).slice(2, 10)}@fill.example`, 'correct horse battery staple');
  const latest = await api.get('/v1/delta/latest', s.tokens.accessToken);
  return { token: s.tokens.accessToken, root: s.user.id, cursor: (latest.body as { cursor: string }).cursor };
}

/** The body of a 2xx answer; throws with the status and body otherwise. */
export async function ok(p: Promise<{ status: number; body: any }>): Promise<any> {
  const res = await p;
  if (res.status >= 300) throw new Error(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}
