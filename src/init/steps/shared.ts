// Helpers the init steps share: where earlier steps' results come from (state outputs first,
// a read of the live world otherwise).
import { StepError } from "../../core/errors.js";
import type { ClusterInfo, IdentityInfo } from "../../core/ports.js";
import type { StepContext, StepName } from "../step.js";

/** The cluster as ARM reports it now; a missing cluster is a step failure naming the inputs. */
export async function requireCluster(ctx: StepContext, step: StepName): Promise<ClusterInfo> {
  const { subscription, resourceGroup, cluster } = ctx.inputs;
  const info = await ctx.azure.getCluster(subscription, resourceGroup, cluster);
  if (!info) {
    throw new StepError(
      step,
      `cluster "${cluster}" not found in resource group "${resourceGroup}" of subscription ${subscription}`,
      "check --subscription, --resource-group and --cluster",
    );
  }
  return info;
}

/** The cluster's tenant: the subscription's tenant (recorded by the cluster step). */
export async function clusterTenant(ctx: StepContext): Promise<string | undefined> {
  if (ctx.state.outputs.tenantId) return ctx.state.outputs.tenantId;
  const subs = await ctx.azure.listSubscriptions();
  const want = ctx.inputs.subscription.toLowerCase();
  return subs.find((s) => s.id.toLowerCase() === want || s.id.toLowerCase().endsWith(`/${want}`))?.tenantId;
}

/** The identity as ARM reports it now (a live read, so a stale state file never misleads a plan). */
export async function currentIdentity(ctx: StepContext): Promise<IdentityInfo | undefined> {
  const { subscription, identityResourceGroup, identity } = ctx.inputs;
  return ctx.azure.getIdentity(subscription, identityResourceGroup, identity);
}

/** Issuer URL verbatim as the cluster reports it now (absent until the OIDC issuer is on). */
export async function currentIssuer(ctx: StepContext): Promise<string | undefined> {
  const { subscription, resourceGroup, cluster } = ctx.inputs;
  return (await ctx.azure.getCluster(subscription, resourceGroup, cluster))?.issuerUrl;
}

/** The last segment of an ARM ID (role definition GUID, resource name). */
export function lastSegment(id: string): string {
  const parts = id.split("/").filter(Boolean);
  return parts[parts.length - 1] ?? id;
}

export const PENDING = "(known after apply)";
