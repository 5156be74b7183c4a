// Step 1: turn on the cluster's OIDC issuer and workload identity in one update.
import { CancelledError } from "../../core/errors.js";
import { clusterTenant, requireCluster } from "./shared.js";
import type { ClusterInfo } from "../../core/ports.js";
import { defineStep, type PlanBody, type StepContext } from "../step.js";

const onOff = (b: boolean) => (b ? "on" : "off");
const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled", ""]);
const enabled = (c: ClusterInfo) => c.oidcIssuerEnabled && c.workloadIdentityEnabled;
/** Another operation (perhaps our own update, from a run that was killed) is still running. */
const busy = (c: ClusterInfo) => !TERMINAL.has(c.provisioningState.toLowerCase());

function record(ctx: StepContext, c: ClusterInfo, tenantId: string | undefined): void {
  const out = ctx.state.outputs;
  out.clusterId = c.id;
  out.clusterLocation = c.location;
  if (tenantId) out.tenantId = tenantId;
  out.oidcIssuerEnabled = c.oidcIssuerEnabled;
  out.workloadIdentityEnabled = c.workloadIdentityEnabled;
  if (c.issuerUrl) out.issuerUrl = c.issuerUrl;
}

export const clusterStep = defineStep({
  name: "cluster",
  title: "Cluster: OIDC issuer and workload identity",

  async plan(ctx) {
    const c = await requireCluster(ctx, "cluster");
    const done = enabled(c) && !busy(c);
    const details: Record<string, string> = {
      cluster: c.id,
      location: c.location,
      "provisioning state": c.provisioningState,
      "OIDC issuer": onOff(c.oidcIssuerEnabled),
      "workload identity": onOff(c.workloadIdentityEnabled),
    };
    if (c.issuerUrl) details.issuer = c.issuerUrl;
    return {
      change: done ? "none" : "update",
      summary: done
        ? `cluster ${c.name}: OIDC issuer and workload identity already on`
        : enabled(c)
          ? `wait for cluster ${c.name} to finish its running operation (${c.provisioningState})`
          : `enable OIDC issuer and workload identity on cluster ${c.name} (restarts the API server; cannot be undone)`,
      details,
    } satisfies PlanBody;
  },

  async apply(ctx) {
    const { subscription, resourceGroup, cluster } = ctx.inputs;
    let c = await requireCluster(ctx, "cluster");
    if (!enabled(c) || busy(c)) {
      if (!enabled(c)) {
        const ok = await ctx.ui.confirm(
          `Enabling the OIDC issuer and workload identity on ${cluster} restarts its API server and cannot be undone. Continue?`,
          { default: true, nonInteractiveAnswer: true },
        );
        if (!ok) throw new CancelledError("cancelled: cluster left unchanged");
      }
      // Also when both flags already show on but an operation is still running: this waits for it
      // to finish (and makes no write when nothing is left to change).
      c = await ctx.ui.spin(`Enabling OIDC issuer and workload identity on ${cluster}`, (update) =>
        ctx.azure.enableWorkloadIdentity(subscription, resourceGroup, cluster, (s) =>
          update(`Enabling OIDC issuer and workload identity on ${cluster}: ${s}`),
        ),
      );
    }
    record(ctx, c, await clusterTenant(ctx));
  },
});
