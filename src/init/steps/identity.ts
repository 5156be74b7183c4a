// Step 3: the user-assigned managed identity the workload will act as: reused when it exists,
// created otherwise in --identity-location (default: the cluster's location) and
// --identity-subscription (default: the cluster's), tagged with --tags and aks-wi's own managed-by
// tag. Its client and principal IDs are "known after" the create and flow to the service account,
// credential and role operations through the state.
import { StepError, UserError } from "../../core/errors.js";
import type { IdentityInfo } from "../../core/ports.js";
import { MANAGED_BY_TAG } from "../../core/workload-identity.js";
import { defineStep } from "../step.js";
import { identityId, identitySubscriptionOf, resourceGroupScope } from "./shared.js";

/**
 * Regions where federated identity credentials cannot be created on user-assigned identities
 * (MicrosoftDocs/entra-docs, docs/workload-id/workload-identity-federation-considerations.md,
 * "Unsupported regions (user-assigned managed identities)"; the write is HTTP 405 "Support for
 * federated identity credentials not enabled"). What counts is the identity's region, not the
 * cluster's: the same page says resources there can use an identity created in a supported region.
 */
export const FIC_UNSUPPORTED_REGIONS: Readonly<Record<string, string>> = {
  malaysiasouth: "Malaysia South",
  newzealandnorth: "New Zealand North",
};

/** ARM's short form of a location ("New Zealand North" → "newzealandnorth"). */
const shortLocation = (l: string) => l.replace(/\s+/g, "").toLowerCase();

function details(id: IdentityInfo): Record<string, string> {
  return { identity: id.id, location: id.location, clientId: id.clientId, principalId: id.principalId, tenantId: id.tenantId };
}

const tagList = (tags: Record<string, string>) =>
  Object.entries(tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(", ");

export const identityStep = defineStep({
  name: "identity",
  title: "User-assigned managed identity",

  async plan(ctx) {
    const { identity, identityResourceGroup, identityLocation, tags = {} } = ctx.inputs;
    const subscription = identitySubscriptionOf(ctx.inputs);
    const found = await ctx.seen.identity();
    if (found) {
      refuseRegion(found.location, `identity ${identity} is in`, "use an --identity created in a supported region (or a new name with --identity-location)");
      const shown = details(found);
      // A reused identity is someone's resource: its tags (and its region) stay as they are. Said
      // in the summary, the one line the plan shows of a step that changes nothing.
      const notes: string[] = [];
      if (Object.keys(tags).length) {
        shown.tags = `left as they are (an existing identity's tags are not changed): ${tagList(tags)} not added`;
        notes.push(`its tags are left as they are (${tagList(tags)} not added)`);
      }
      if (identityLocation && shortLocation(identityLocation) !== shortLocation(found.location)) {
        shown.WARN = `--identity-location ${identityLocation} is not used: identity ${identity} exists in ${found.location}`;
        notes.push(`it stays in ${found.location} (--identity-location ${identityLocation} is not used)`);
      }
      return {
        change: "none",
        summary: [`reuse identity ${identity} in ${identityResourceGroup}`, ...notes].join("; "),
        details: shown,
        ops: [],
        record: (out) => {
          out.identity = { ...found };
          out.tenantId ??= found.tenantId;
        },
      };
    }
    const loc = identityLocation ?? (await ctx.seen.cluster()).location;
    refuseRegion(
      loc,
      identityLocation ? "--identity-location is" : "the identity would be created in the cluster's region,",
      "pass --identity-location with a supported region (e.g. a neighbouring one); the cluster may stay where it is",
    );
    // Tagged as aks-wi's own, so it can be found again (and only then deleted) from any machine;
    // the user's tags never replace that one (the inputs refuse a managed-by tag).
    const allTags = { ...tags, [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value };
    const where = `${identityResourceGroup} (${loc}${subscription !== ctx.inputs.subscription ? `, subscription ${subscription}` : ""})`;
    return {
      change: "create",
      drift: [`identity ${identity} does not exist in resource group ${identityResourceGroup}`],
      summary: `create identity ${identity} in ${where}`,
      details: {
        name: identity,
        resourceGroup: identityResourceGroup,
        ...(subscription !== ctx.inputs.subscription ? { subscription } : {}),
        location: loc,
        tags: tagList(allTags),
      },
      ops: [
        {
          id: "identity",
          step: "identity",
          action: "create",
          target: identityId(ctx.inputs),
          summary: `create identity ${identity} in ${where}`,
          body: { location: loc, tags: allTags },
          after: [],
          afterAccepted: ["cluster"],
          needs: [
            { plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/write", scope: resourceGroupScope(subscription, identityResourceGroup) },
          ],
          async run(run) {
            const made = await run.azure.createIdentity(subscription, identityResourceGroup, identity, loc, allTags);
            if (!made.clientId || !made.principalId) {
              throw new StepError("identity", `identity ${identity} has no clientId/principalId yet`, "re-run aks-wi init in a minute");
            }
            run.state.outputs.identity = { ...made };
          },
        },
      ],
    };
  },
});

/** Stops the plan, before anything changes, for an identity in a region without federated credentials. */
function refuseRegion(location: string, what: string, fix: string): void {
  const name = FIC_UNSUPPORTED_REGIONS[shortLocation(location)];
  if (!name) return;
  throw new UserError(
    `${what} ${name} (${shortLocation(location)}), where Azure does not yet support federated identity credentials on user-assigned identities`,
    `${fix}; nothing was changed`,
    "usage",
  );
}
