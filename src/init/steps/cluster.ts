// Step 1: turn on the cluster's OIDC issuer and workload identity in one update. The update
// restarts the API server and cannot be undone, so it is asked about with the plan (default No)
// and it is the first write: every other operation waits until ARM has accepted it, so a cluster
// changed since the plan (If-Match fails) stops the run before anything else is written.
// The plan also looks at the cluster's state: a stopped or failed cluster stops the plan (AKS
// would refuse the update, or its webhook may be missing), and a Kubernetes version out of
// support is a warning in the plan with the upgrade that AKS requires before any update.
import { CancelledError, UserError } from "../../core/errors.js";
import type { ClusterInfo } from "../../core/ports.js";
import { defineStep, type InitOutputs, type Operation, type StepContext } from "../step.js";

const onOff = (b: boolean) => (b ? "on" : "off");
const TERMINAL = new Set(["succeeded", "failed", "canceled", "cancelled", ""]);
const enabled = (c: ClusterInfo) => c.oidcIssuerEnabled && c.workloadIdentityEnabled;
/** Another operation (perhaps our own update, from a run that was killed) is still running. */
const busy = (c: ClusterInfo) => !TERMINAL.has(c.provisioningState.toLowerCase());

const minorOf = (v: string) => v.split(".").slice(0, 2).join(".");
const cmp = (a: string, b: string) => {
  const [x, y] = [a, b].map((v) => v.split(".").map(Number));
  return x![0]! - y![0]! || x![1]! - y![1]!;
};

/** Stops the plan for a cluster AKS will not update as it is (a usage error: exit 2, nothing changed). */
function refuseState(c: ClusterInfo): void {
  const where = `-g ${c.resourceGroup} -n ${c.name}`;
  if ((c.powerState ?? "").toLowerCase() === "stopped") {
    throw new UserError(
      `cluster ${c.name} is stopped (powerState Stopped): AKS refuses to update a stopped cluster and its API server cannot be reached`,
      `start it: az aks start ${where}, then re-run aks-wi init`,
    );
  }
  if (c.provisioningState.toLowerCase() === "failed") {
    throw new UserError(
      `cluster ${c.name} is in provisioning state Failed: its last operation failed${enabled(c) ? " (perhaps the one that turned workload identity on, so its webhook may be missing)" : ""}`,
      `reconcile it first (az aks update ${where}), then re-run aks-wi init`,
    );
  }
}

/** A warning when the cluster's Kubernetes minor is not among the region's supported ones. */
async function supportWarning(ctx: StepContext, c: ClusterInfo): Promise<string | undefined> {
  if (!c.kubernetesVersion || !ctx.azure.listKubernetesVersions) return undefined;
  let supported: string[];
  try {
    supported = await ctx.azure.listKubernetesVersions(ctx.inputs.subscription, c.location);
  } catch {
    return undefined; // a convenience: a principal that may not list versions still gets its plan
  }
  if (!supported.length || supported.some((v) => minorOf(v) === minorOf(c.kubernetesVersion!))) return undefined;
  // An unsupported cluster is upgraded to the lowest supported minor.
  const lowest = [...supported].sort(cmp)[0]!;
  return `Kubernetes ${c.kubernetesVersion} is out of support in ${c.location} (supported: ${[...supported].sort(cmp).join(", ")}); AKS refuses any update until it is upgraded: az aks upgrade -g ${c.resourceGroup} -n ${c.name} --kubernetes-version ${lowest}`;
}

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
    refuseState(c);
    const details: Record<string, string> = {
      cluster: c.id,
      location: c.location,
      "provisioning state": c.provisioningState,
      "OIDC issuer": onOff(c.oidcIssuerEnabled),
      "workload identity": onOff(c.workloadIdentityEnabled),
    };
    if (c.kubernetesVersion) details["Kubernetes version"] = c.kubernetesVersion;
    // reachable only from inside its network or from its ranges (the options: core/kube-advice.ts)
    if (c.privateFqdn) details["API server"] = `private: ${c.privateFqdn} (reachable only inside the cluster's virtual network)`;
    if (c.authorizedIpRanges?.length) details["authorized IP ranges"] = c.authorizedIpRanges.join(", ");
    if (c.issuerUrl) details.issuer = c.issuerUrl;
    const warning = await supportWarning(ctx, c);
    if (warning) details.WARN = warning;
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
      body: waitOnly
        ? undefined
        : { "properties.oidcIssuerProfile.enabled": true, "properties.securityProfile.workloadIdentity.enabled": true, "If-Match": c.etag ?? "(none)" },
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
      : [
          !c.oidcIssuerEnabled && "oidcIssuerProfile.enabled is false",
          !c.workloadIdentityEnabled && "securityProfile.workloadIdentity.enabled is false",
        ].filter((x): x is string => !!x);
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
