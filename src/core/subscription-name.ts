// A subscription given by name, as `az account set --subscription NAME` takes one: its ID when
// exactly one of the principal's subscriptions has that name, ignoring case; else a reason that
// lists the choices. init's input ladder matches with it; verify and doctor resolve through
// subscriptionIdOf before they check their target, so all three take the same spellings.
import { UserError } from "./errors.js";
import { isGuid } from "./names.js";
import { clip } from "./util.js";

export interface SubscriptionRef {
  id: string;
  name: string;
}

const listed = (subs: readonly SubscriptionRef[]) => subs.map((s) => `${s.name} (${s.id})`).join(", ") || "none";

/** The ID a name stands for, or why it stands for none (one line, after `shown "value": `). */
export function matchSubscriptionName(name: string, subs: readonly SubscriptionRef[]): { id: string; name: string } | { problem: string } {
  const same = subs.filter((s) => s.name.toLowerCase() === name.toLowerCase());
  if (same.length === 1) return same[0]!;
  return {
    problem:
      same.length === 0
        ? `subscription must be a subscription ID or the name of one you can use; none is named so (yours: ${listed(subs)})`
        : `${same.length} subscriptions are named so, pass one's ID: ${listed(same)}`,
  };
}

/**
 * `value` as a subscription ID: an ID as it is, a name looked up (listing the principal's
 * subscriptions only then); a name that matches none or several is a usage error. `shown` is where
 * the value came from (--subscription, AKS_WI_SUBSCRIPTION); `note` hears which subscription a
 * name chose.
 */
export async function subscriptionIdOf(
  value: string,
  shown: string,
  list: () => Promise<readonly SubscriptionRef[]>,
  note: (line: string) => void,
): Promise<string> {
  if (isGuid(value) || value.trim() === "") return value;
  const hit = matchSubscriptionName(value, await list());
  if ("problem" in hit) throw new UserError(`invalid input:\n  - ${shown} "${clip(value)}": ${hit.problem}`, "fix the values above; nothing was checked");
  note(`Subscription: ${hit.id} (${hit.name}), named by ${shown}`);
  return hit.id;
}
