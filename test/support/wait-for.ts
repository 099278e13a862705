/** Polls `fn` every 20 ms until it returns a value other than undefined, or fails after `ms` naming `what`. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
  what = "condition",
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
