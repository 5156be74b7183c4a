// A duration given in seconds by a flag or an AKS_WI_* variable (fractions allowed), as every time
// limit and wait budget of aks-wi takes one: unset is the default, anything but a number (or, where
// zero makes no sense, anything not above it) is an input mistake naming the setting.
import { UserError } from "./errors.js";
import { clip } from "./util.js";

export function secondsSetting(raw: string | undefined, o: { name: string; defaultMs: number; positive?: boolean; example: string }): number {
  if (raw === undefined || raw === "") return o.defaultMs;
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || (o.positive && n === 0))
    throw new UserError(`${o.name} must be a ${o.positive ? "positive " : ""}number of seconds, got "${clip(raw)}"`, o.example);
  return Math.round(n * 1000);
}
