// Step 2: the cluster's OIDC issuer URL, kept verbatim (a trailing slash is part of the issuer
// string Entra compares, so it is never added or stripped). When the issuer is still off, the URL
// is "known after" the cluster update, whose result carries it; only if that result lacks it is
// the cluster read once more.
import { StepError } from "../../core/errors.js";
import { defineStep } from "../step.js";

export const issuerStep = defineStep({
  name: "issuer",
  title: "OIDC issuer URL",

  async plan(ctx) {
    const c = await ctx.seen.cluster();
    if (c.issuerUrl) {
      const url = c.issuerUrl;
      const recorded = ctx.state.outputs.issuerUrl === url;
      return {
        change: "none",
        summary: recorded ? `issuer ${url}` : `read issuer ${url}`,
        details: { issuer: url },
        ops: [],
        record: (out) => void (out.issuerUrl = url),
      };
    }
    return {
      change: "read",
      summary: "read the issuer URL once the OIDC issuer is enabled",
      details: { issuer: "(known after the cluster step)" },
      ops: [
        {
          id: "issuer",
          step: "issuer",
          action: "read",
          target: c.id,
          summary: "read the issuer URL",
          after: ["cluster"],
          needs: [],
          async run(run) {
            const out = run.state.outputs;
            if (out.issuerUrl) return;
            const now = await run.azure.getCluster(run.inputs.subscription, run.inputs.resourceGroup, run.inputs.cluster);
            if (!now?.issuerUrl) {
              throw new StepError(
                "issuer",
                `cluster "${c.name}" reports no oidcIssuerProfile.issuerURL (OIDC issuer ${now?.oidcIssuerEnabled ? "on" : "off"})`,
                now?.oidcIssuerEnabled
                  ? "wait a minute for the issuer to be published, then re-run aks-wi init"
                  : "re-run aks-wi init so the cluster step enables the OIDC issuer",
              );
            }
            out.issuerUrl = now.issuerUrl;
          },
        },
      ],
    };
  },
});
