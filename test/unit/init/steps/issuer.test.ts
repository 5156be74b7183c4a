// The issuer step over the fakes.
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { issuerStep } from "../../../../src/init/steps/issuer.js";
import { world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

describe("issuer step", () => {
  it("records the issuer verbatim, trailing slash kept", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: "https://eastus.oic.prod-aks.azure.com/t/g/" };
    expect((await planStep(issuerStep, w.ctx)).change).toBe("none");
    await applyPlan(w.ctx, await planStep(issuerStep, w.ctx));
    expect(w.ctx.state.outputs.issuerUrl).toBe("https://eastus.oic.prod-aks.azure.com/t/g/");
  });

  it("never adds a slash that is not there", async () => {
    const w = world();
    w.azure.cluster = { ...w.azure.cluster, oidcIssuerEnabled: true, issuerUrl: "https://issuer.example/t/g" };
    await applyPlan(w.ctx, await planStep(issuerStep, w.ctx));
    expect(w.ctx.state.outputs.issuerUrl).toBe("https://issuer.example/t/g");
  });

  it("fails clearly when the cluster has no issuer URL", async () => {
    const w = world();
    expect((await planStep(issuerStep, w.ctx)).change).toBe("read");
    const err = await applyPlan(w.ctx, await planStep(issuerStep, w.ctx)).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/no oidcIssuerProfile.issuerURL/);
  });
});
