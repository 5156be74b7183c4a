// The rules for the options of a new identity that init's inputs and the config file both check:
// its region and its tags. Checked before anything is sent, so a bad one is a usage error that
// names the option, not an ARM 400 half-way through a run.
import type { Validator } from "./names.js";
import { MANAGED_BY_TAG } from "./workload-identity.js";

/** A region as ARM names it (`az account list-locations --query [].name`): lower-case letters and digits. */
export const validateLocation: Validator = (v) =>
  /^[a-z][a-z0-9]{1,39}$/.test(v) ? undefined : "location must be a region's short name as az account list-locations shows it, e.g. westeurope";

// Azure's limits on tags ("Use tags to organize your Azure resources", Limitations): a name of at
// most 512 characters without < > % & \ ? /, a value of at most 256, 50 tags per resource.
export const MAX_TAGS = 50;

/** Why a tag name or value is refused, if it is. */
export function tagProblem(key: string, value: string): string | undefined {
  if (!key) return "a tag needs a name: KEY=VALUE";
  if (key.length > 512) return "a tag name is at most 512 characters";
  if (/[<>%&\\?/]/.test(key)) return "a tag name cannot contain < > % & \\ ? or /";
  if (value.length > 256) return "a tag value is at most 256 characters";
  if (key.toLowerCase() === MANAGED_BY_TAG.key)
    return `${MANAGED_BY_TAG.key} is aks-wi's own tag (${MANAGED_BY_TAG.key}=${MANAGED_BY_TAG.value}), always set: choose another name`;
  return undefined;
}

/** Reads KEY=VALUE tags (the value may be empty, as in az's --tags); each problem pushed with `where` naming its source. */
export function parseTags(pairs: string[], where: string, problems: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    const [key, value] = eq < 0 ? [pair.trim(), ""] : [pair.slice(0, eq).trim(), pair.slice(eq + 1)];
    const why = eq < 0 ? "a tag is KEY=VALUE" : tagProblem(key, value);
    if (why) {
      problems.push(`${where} "${pair.length > 80 ? `${pair.slice(0, 77)}...` : pair}": ${why}`);
      continue;
    }
    // Tag names are case-insensitive in Azure: two spellings of one name would be one tag.
    const first = seen.get(key.toLowerCase());
    if (first !== undefined) {
      problems.push(`${where} "${pair}": tag ${key} is given twice (tag names are case-insensitive)`);
      continue;
    }
    seen.set(key.toLowerCase(), key);
    out[key] = value;
  }
  if (Object.keys(out).length > MAX_TAGS - 1) problems.push(`${where}: at most ${MAX_TAGS - 1} tags (Azure allows ${MAX_TAGS}, one is aks-wi's own)`);
  return out;
}
