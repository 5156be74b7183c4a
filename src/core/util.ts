// Small helpers with no home of their own: reading boolean and list environment variables,
// waiting, and asking whether a process still runs.
import { setTimeout as wait } from "node:timers/promises";

/** Reads a boolean environment variable ("true/false", "1/0", "yes/no", "on/off"); undefined otherwise. */
export function parseBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === "") return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  return undefined;
}

/** Splits a list env var (comma or newline separated; role names never hold commas). */
export function splitList(v: string | undefined): string[] {
  return (v ?? "").split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
}

export const sleep = (ms: number): Promise<void> => wait(ms);

/** Whether a process of this id runs (on this host), ours or someone else's. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, but not ours to signal
  }
}
