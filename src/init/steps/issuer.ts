// Step 2: the cluster's OIDC issuer URL, kept verbatim (a trailing slash is part of the issuer
// string Entra compares, so it is never added or stripped).
import { StepError } from "../../core/errors.js";
import { requireCluster } from "./shared.js";
import { defineStep } from "../step.js";

export const issuerStep = defineStep({
  name: "issuer",
  title: "OIDC issuer URL",

  async plan(ctx) {
    const c = await requireCluster(ctx, "issuer");
    if (c.issuerUrl) {
      const recorded = ctx.state.outputs.issuerUrl === c.issuerUrl;
      return {
        change: "none",
        summary: recorded ? `issuer ${c.issuerUrl}` : `read issuer ${c.issuerUrl}`,
        details: { issuer: c.issuerUrl },
      };
    }
    // Read-only step: it becomes readable once the cluster step has turned the issuer on.
    return {
      change: "read",
      summary: "read the issuer URL once the OIDC issuer is enabled",
      details: { issuer: "(known after the cluster step)" },
    };
  },

  async apply(ctx) {
    const c = await requireCluster(ctx, "issuer");
    if (!c.issuerUrl) {
      throw new StepError(
        "issuer",
        `cluster "${c.name}" reports no oidcIssuerProfile.issuerURL (OIDC issuer ${c.oidcIssuerEnabled ? "on" : "off"})`,
        c.oidcIssuerEnabled ? "wait a minute for the issuer to be published, then re-run aks-wi init" : "re-run aks-wi init so the cluster step enables the OIDC issuer",
      );
    }
    ctx.state.outputs.issuerUrl = c.issuerUrl;
  },
});
