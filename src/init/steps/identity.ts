// Step 3: the user-assigned managed identity the workload will act as: reused when it exists.
import { StepError } from "../../core/errors.js";
import { currentIdentity, requireCluster } from "./shared.js";
import type { IdentityInfo } from "../../core/ports.js";
import { defineStep, type StepContext } from "../step.js";

async function location(ctx: StepContext): Promise<string> {
  if (ctx.state.outputs.clusterLocation) return ctx.state.outputs.clusterLocation;
  return (await requireCluster(ctx, "identity")).location;
}

function details(id: IdentityInfo): Record<string, string> {
  return { identity: id.id, location: id.location, clientId: id.clientId, principalId: id.principalId, tenantId: id.tenantId };
}

export const identityStep = defineStep({
  name: "identity",
  title: "User-assigned managed identity",

  async plan(ctx) {
    const { identity, identityResourceGroup } = ctx.inputs;
    const found = await currentIdentity(ctx);
    if (found) {
      return { change: "none", summary: `reuse identity ${identity} in ${identityResourceGroup}`, details: details(found) };
    }
    const loc = await location(ctx);
    return {
      change: "create",
      summary: `create identity ${identity} in ${identityResourceGroup} (${loc})`,
      details: { name: identity, resourceGroup: identityResourceGroup, location: loc },
    };
  },

  async apply(ctx) {
    const { subscription, identity, identityResourceGroup } = ctx.inputs;
    let found = await currentIdentity(ctx);
    if (!found) {
      found = await ctx.azure.createIdentity(subscription, identityResourceGroup, identity, await location(ctx));
    }
    if (!found.clientId || !found.principalId) {
      throw new StepError("identity", `identity ${identity} has no clientId/principalId yet`, "re-run aks-wi init in a minute");
    }
    ctx.state.outputs.identity = { ...found };
  },
});
