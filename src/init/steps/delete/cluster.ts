// Delete step 7: the cluster changes in no delete. AKS cannot turn the OIDC
// issuer off once it is on (az refuses `--enable-oidc-issuer false`: "Disabling OIDC issuer is not
// supported", azure-cli acs/_validators.py validate_enable_oidc_issuer_updates), and workload
// identity, which `az aks update --disable-workload-identity` could turn off (AKS docs,
// workload-identity-deploy-cluster.md, "Disable workload identity"), serves every workload of the
// cluster, not one binding: both stay on, and the plan says so.
import { defineStep } from "../../step.js";
import { LEFT } from "./shared.js";

export const STAYS_ON =
  "the cluster's OIDC issuer and workload identity stay on (AKS cannot turn the issuer off; workload identity serves every workload of the cluster)";

export const deleteClusterStep = defineStep({
  name: "cluster",
  title: "Cluster: OIDC issuer and workload identity",

  async plan(ctx) {
    const c = await ctx.seen.cluster();
    return { change: "none", summary: `cluster ${c.name}: ${STAYS_ON}`, details: { cluster: c.id, [LEFT]: STAYS_ON }, ops: [] };
  },
});
