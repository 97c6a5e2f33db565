/**
 * Durable small-file persistence for config/*.json, kvConfig.json and the like
 * (store-and-semantics.md §10.1.1): write a temp file, fsync it, rename over the target, fsync the
 * directory. A crash at any point leaves either the old or the new content, never a torn file.
 * Upstream additionally keeps a `.bak` of the previous content; we keep it too so operators find it.
 */

import * as fs from "node:fs";

/** The directory part of a path ("." for a bare name). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? (i === 0 ? "/" : ".") : path.slice(0, i);
}

/** Atomically replaces `path` with `text`. */
export function writeFileAtomicSync(path: string, text: string): void {
  const dir = dirOf(path);
  Deno.mkdirSync(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const f = Deno.openSync(tmp, { write: true, create: true, truncate: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += f.writeSync(bytes.subarray(off));
    f.syncSync();
  } finally {
    f.close();
  }
  try {
    Deno.copyFileSync(path, `${path}.bak`);
  } catch {
    // No previous file: nothing to back up.
  }
  Deno.renameSync(tmp, path);
  syncDir(dir);
}

/** {@link writeFileAtomicSync} with its I/O (fsyncs included) off the event loop. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const dir = dirOf(path);
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${path}.tmp`;
  const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
  try {
    const bytes = new TextEncoder().encode(text);
    let off = 0;
    while (off < bytes.length) off += await f.write(bytes.subarray(off));
    await f.sync();
  } finally {
    f.close();
  }
  try {
    await Deno.copyFile(path, `${path}.bak`);
  } catch {
    // No previous file: nothing to back up.
  }
  await Deno.rename(tmp, path);
  await syncDirAsync(dir);
}

/** fsync a directory so a rename or a new file inside it survives power loss. */
export function syncDir(dir: string): void {
  try {
    const d = Deno.openSync(dir, { read: true });
    try {
      d.syncSync();
    } finally {
      d.close();
    }
  } catch {
    // Some filesystems refuse fsync on directories; the rename is still atomic.
  }
}

/** {@link syncDir} on the thread pool, so the event loop goes on meanwhile. */
export function syncDirAsync(dir: string): Promise<void> {
  return new Promise((res) => {
    fs.open(dir, "r", (e, fd) => {
      if (e) return res();
      fs.fsync(fd, () => fs.close(fd, () => res()));
    });
  });
}

/** Reads a text file, or returns null when it does not exist. Falls back to `.bak` if the main file is gone. */
export function readTextIfExists(path: string): string | null {
  for (const p of [path, `${path}.bak`]) {
    try {
      return Deno.readTextFileSync(p);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return null;
}
