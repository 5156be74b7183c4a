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
  return (v ?? "")
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A value as echoed in a message: at most `max` characters, the rest marked as cut. */
export function clip(value: string, max = 80): string {
  const s = String(value);
  return s.length <= max ? s : `${s.slice(0, max - 1)}… (${s.length} characters)`;
}

/** A message with every unbroken run longer than `max` (a pasted value, never prose) clipped. */
export const clipRuns = (message: string, max = 300): string => message.replace(new RegExp(`\\S{${max + 1},}`, "g"), (run) => clip(run, 80));

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
