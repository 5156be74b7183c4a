// Filesystem access that always ends, in a sentence: directories made one level at a time (Node
// 20's recursive mkdir never returns under /proc), and every errno turned into what it means for
// the path and what to do about it.
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { chmod, mkdir, open, rename, rmdir, stat, unlink } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { UserError } from "./errors.js";
import { clip } from "./util.js";

export { clip };

/** Pseudo-filesystems where nothing of aks-wi's can live; refused before any call. */
const PSEUDO = /^\/(proc|sys)(\/|$)/;

/** The message of a filesystem error on `path`, as one sentence with a fix; `what` is e.g. "state file". */
export function fsError(e: unknown, path: string, what: string, fix = "pass another path"): UserError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    ENOENT: "does not exist (nor does a directory above it that could hold it)",
    ENOTDIR: "has a file where a directory should be in its path",
    EISDIR: "is a directory, not a file",
    EACCES: "is not accessible to you (permission denied)",
    EPERM: "is not accessible to you (operation not permitted)",
    EROFS: "is on a read-only filesystem",
    ENOSPC: "cannot be written: the disk is full",
    EEXIST: "already exists and is not a directory",
    ENAMETOOLONG: "is too long a path",
    ELOOP: "has a symbolic link loop in its path",
  };
  const reason = (code && why[code]) ?? `cannot be used (${code ?? (e as Error)?.message ?? String(e)})`;
  return new UserError(`${what} ${clip(path)} ${reason}`, fix, "usage");
}

/** Refuses a path under /proc or /sys at once: nothing there can hold a file of ours. */
export function assertRealPath(path: string, what: string, fix = "pass a path in a normal directory"): void {
  if (PSEUDO.test(resolve(path)))
    throw new UserError(
      `${what} ${clip(path)} is under ${resolve(path).split("/")[1] === "proc" ? "/proc" : "/sys"}, where no file can be written`,
      fix,
      "usage",
    );
}

/**
 * Makes `dir` and any missing parents (mode `mode`), one mkdir each, so every call returns.
 * Returns the directories it made, outermost first, so a caller can remove them again if it
 * ends up writing nothing.
 */
export async function makeDirs(dir: string, what: string, mode = 0o700): Promise<string[]> {
  const abs = resolve(dir);
  assertRealPath(abs, what);
  const missing: string[] = [];
  for (let d = abs; ; d = dirname(d)) {
    try {
      const s = await stat(d);
      if (!s.isDirectory()) throw fsError(Object.assign(new Error(), { code: d === abs ? "EEXIST" : "ENOTDIR" }), abs, what);
      break;
    } catch (e) {
      if (e instanceof UserError) throw e;
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || d === dirname(d)) throw fsError(e, abs, what);
      missing.unshift(d);
    }
  }
  const made: string[] = [];
  for (const d of missing) {
    try {
      await mkdir(d, { mode });
      made.push(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue; // made meanwhile by another run
      throw fsError(e, abs, what);
    }
  }
  return made;
}

/** Removes the directories makeDirs made, innermost first, as long as they are empty. */
export async function removeIfEmpty(made: string[]): Promise<void> {
  for (const d of [...made].reverse()) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (something was written) or gone: leave it and its parents
    }
  }
}

/** Atomic, private write: its directory made (0700), a 0600 temp file beside `path`, flushed, then
 *  renamed over the old one, so a kill mid-write leaves the old file. `what` and `fix` name it in
 *  the error ("state file", "pass another --state"). */
export async function writeFileAtomic(path: string, text: string, what: string, fix?: string): Promise<void> {
  await makeDirs(dirname(path), `the ${what}'s directory`);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
    try {
      await fh.writeFile(text, "utf8");
      await fh.sync();
    } finally {
      await fh.close();
    }
    // The umask cannot widen 0600, but a pre-existing temp name could not exist either (O_EXCL); chmod
    // anyway so the mode is right even on filesystems that ignore the open() mode.
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw fsError(e, path, what, fix);
  }
}
