/** Polls `check` until it holds (for effects that finish after a response, e.g. an aborted upload's clean-up). */
export async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, tries = 100, everyMs = 50): Promise<T> {
  let v = await probe();
  for (let i = 0; i < tries && !ok(v); i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await probe();
  }
  return v;
}
