// Files the sandbox keeps in its DIR, written so that a reader never sees half of one and nobody
// but the owner can read a secret.
import { randomUUID } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";

/** Atomic, user-only write (temp file + rename). */
export function writePrivate(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
