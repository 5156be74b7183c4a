// Delete step 6: the issuer is only read: the federated credential of this binding is the one
// trusting it. It stays, as the cluster's OIDC issuer does (see cluster.ts).
import { defineStep } from "../../step.js";

export const deleteIssuerStep = defineStep({
  name: "issuer",
  title: "OIDC issuer URL",

  async plan(ctx) {
    const c = await ctx.seen.cluster();
    return c.issuerUrl
      ? { change: "none", summary: `issuer ${c.issuerUrl} (stays; it finds this binding's federated credential)`, details: { issuer: c.issuerUrl }, ops: [] }
      : { change: "none", summary: "the cluster has no OIDC issuer, so no federated credential can trust it", ops: [] };
  },
});
