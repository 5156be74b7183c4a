// Step 1: turn on the cluster's OIDC issuer and workload identity in one update. The update
// restarts the API server and cannot be undone, so it is asked about with the plan (default No)
// and it is the first write: every other operation waits until ARM has accepted it, so a cluster
// changed since the plan (If-Match fails) stops the run before anything else is written.
import { CancelledError } from "../../core/errors.js";
import type { ClusterInfo } from "../../core/ports.js";
import { defineStep, type InitOutputs, type Operation } from "../step.js";

const onOff = (b: boolean) => (b ? "on" : "off");
const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled", ""]);
const enabled = (c: ClusterInfo) => c.oidcIssuerEnabled && c.workloadIdentityEnabled;
/** Another operation (perhaps our own update, from a run that was killed) is still running. */
const busy = (c: ClusterInfo) => !TERMINAL.has(c.provisioningState.toLowerCase());

export function recordCluster(out: InitOutputs, c: ClusterInfo, tenantId: string | undefined): void {
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
    const [c, tenant] = await Promise.all([ctx.seen.cluster(), ctx.seen.tenant()]);
    const details: Record<string, string> = {
      cluster: c.id,
      location: c.location,
      "provisioning state": c.provisioningState,
      "OIDC issuer": onOff(c.oidcIssuerEnabled),
      "workload identity": onOff(c.workloadIdentityEnabled),
    };
    if (c.issuerUrl) details.issuer = c.issuerUrl;
    const record = (out: InitOutputs) => recordCluster(out, c, tenant);
    if (enabled(c) && !busy(c)) {
      return { change: "none", summary: `cluster ${c.name}: OIDC issuer and workload identity already on`, details, ops: [], record };
    }
    const waitOnly = enabled(c);
    const op: Operation = {
      id: "cluster",
      step: "cluster",
      action: waitOnly ? "wait" : "update",
      target: c.id,
      summary: waitOnly
        ? `wait for cluster ${c.name} to finish its running operation (${c.provisioningState})`
        : `enable OIDC issuer and workload identity on cluster ${c.name}`,
      body: waitOnly ? undefined : { "properties.oidcIssuerProfile.enabled": true, "properties.securityProfile.workloadIdentity.enabled": true, "If-Match": c.etag ?? "(none)" },
      after: [],
      needs: waitOnly ? [] : [{ plane: "arm", action: "Microsoft.ContainerService/managedClusters/write", scope: c.id }],
      question: waitOnly
        ? undefined
        : {
            text: `Enable the OIDC issuer and workload identity on ${c.name}? This restarts its API server and cannot be undone.`,
            yesAnswers: true,
            refusal: new CancelledError(`cancelled: cluster ${c.name} left unchanged, nothing was changed`),
          },
      async run(run, hooks) {
        // Also when both flags already show on but an operation is still running: this waits for
        // it to finish (and writes nothing when nothing is left to change).
        const after = await run.azure.enableWorkloadIdentity(c, {
          onAccepted: hooks.accepted,
          onProgress: (s) => hooks.progress(`cluster ${c.name}: ${s}`),
        });
        recordCluster(run.state.outputs, after, tenant);
      },
    };
    const drift = waitOnly
      ? [`the cluster is busy (${c.provisioningState})`]
      : [!c.oidcIssuerEnabled && "oidcIssuerProfile.enabled is false", !c.workloadIdentityEnabled && "securityProfile.workloadIdentity.enabled is false"].filter((x): x is string => !!x);
    return {
      change: "update",
      drift,
      summary: waitOnly ? op.summary : `${op.summary} (restarts the API server; cannot be undone)`,
      details,
      ops: [op],
      record,
    };
  },
});
