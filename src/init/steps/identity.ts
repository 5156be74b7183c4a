// Step 3: the user-assigned managed identity the workload will act as: reused when it exists,
// created in the cluster's location otherwise. Its client and principal IDs are "known after"
// the create and flow to the service account, credential and role operations through the state.
import { StepError } from "../../core/errors.js";
import type { IdentityInfo } from "../../core/ports.js";
import { MANAGED_BY_TAG } from "../../core/workload-identity.js";
import { defineStep } from "../step.js";
import { identityId, resourceGroupScope } from "./shared.js";

function details(id: IdentityInfo): Record<string, string> {
  return { identity: id.id, location: id.location, clientId: id.clientId, principalId: id.principalId, tenantId: id.tenantId };
}

export const identityStep = defineStep({
  name: "identity",
  title: "User-assigned managed identity",

  async plan(ctx) {
    const { subscription, identity, identityResourceGroup } = ctx.inputs;
    const found = await ctx.seen.identity();
    if (found) {
      return {
        change: "none",
        summary: `reuse identity ${identity} in ${identityResourceGroup}`,
        details: details(found),
        ops: [],
        record: (out) => {
          out.identity = { ...found };
          out.tenantId ??= found.tenantId;
        },
      };
    }
    const loc = (await ctx.seen.cluster()).location;
    return {
      change: "create",
      drift: [`identity ${identity} does not exist in resource group ${identityResourceGroup}`],
      summary: `create identity ${identity} in ${identityResourceGroup} (${loc})`,
      details: { name: identity, resourceGroup: identityResourceGroup, location: loc },
      ops: [
        {
          id: "identity",
          step: "identity",
          action: "create",
          target: identityId(ctx.inputs),
          summary: `create identity ${identity} in ${identityResourceGroup} (${loc})`,
          body: { location: loc, tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value } },
          after: [],
          afterAccepted: ["cluster"],
          needs: [
            { plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/write", scope: resourceGroupScope(subscription, identityResourceGroup) },
          ],
          async run(run) {
            // Tagged as aks-wi's own, so it can be found again (and only then deleted) from any machine.
            const made = await run.azure.createIdentity(subscription, identityResourceGroup, identity, loc, { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value });
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
