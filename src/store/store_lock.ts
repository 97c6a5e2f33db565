/**
 * The store's `lock` file (store-and-semantics.md §4.2): an exclusive, non-blocking OS lock so two brokers
 * can never share one store directory.
 */

/** Error thrown by start() when another process (or store instance) holds the store's lock file. */
export class StoreLockedError extends Error {
  override name = "StoreLockedError";
}

/** Takes the exclusive lock on `lockPath` (writing "lock" into it) or throws {@link StoreLockedError}. */
export function lockStore(root: string, lockPath: string): Deno.FsFile {
  const f = Deno.openSync(lockPath, { read: true, write: true, create: true });
  let ok = false;
  try {
    ok = f.tryLockSync(true);
  } catch {
    ok = false;
  }
  if (!ok) {
    f.close();
    throw new StoreLockedError(
      `Lock failed: the store "${root}" is already in use by another broker (lock file "${lockPath}")`,
    );
  }
  f.writeSync(new TextEncoder().encode("lock"));
  return f;
}

/** Releases and closes a lock taken by {@link lockStore}. */
export function unlockStore(f: Deno.FsFile | null): void {
  if (!f) return;
  try {
    f.unlockSync();
  } catch { /* closing releases it anyway */ }
  f.close();
}
