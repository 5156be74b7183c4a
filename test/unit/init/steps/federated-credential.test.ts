// federatedCredential step: match by (issuer, subject), audience repair, the 20-credential limit.
import { describe, expect, it } from "vitest";
import { StepError } from "../../../../src/core/errors.js";
import { MAX_FEDERATED_CREDENTIALS } from "../../../../src/core/workload-identity.js";
import { federatedCredentialStep } from "../../../../src/init/steps/federated-credential.js";
import { world, applyPlan, planStep } from "../../../helpers/steps-fakes.js";

const SUBJECT = "system:serviceaccount:app:sa-app";

async function ready() {
  const w = world();
  await w.azure.enableWorkloadIdentity({ ...w.azure.cluster, etag: w.azure.etag() });
  await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
  w.azure.writes = [];
  return w;
}

describe("federatedCredential step", () => {
  it("creates one credential with exactly one audience and the verbatim issuer", async () => {
    const w = await ready();
    const p = await planStep(federatedCredentialStep, w.ctx);
    expect(p).toMatchObject({ change: "create", details: { name: "fc-app", issuer: w.azure.issuerOnEnable, subject: SUBJECT } });
    await applyPlan(w.ctx, p);
    const list = await w.azure.listFederatedCredentials("s", "rg-sandbox", "id-app");
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: "fc-app", issuer: w.azure.issuerOnEnable, subject: SUBJECT, audiences: ["api://AzureADTokenExchange"] });
    expect(w.ctx.state.outputs.federatedCredential).toMatchObject({ name: "fc-app", issuer: w.azure.issuerOnEnable });
  });

  it("finds an existing credential by issuer and subject whatever its name", async () => {
    const w = await ready();
    await w.azure.putFederatedCredential("s", "rg-sandbox", "id-app", {
      name: "made-by-hand",
      issuer: w.azure.issuerOnEnable,
      subject: SUBJECT,
      audiences: ["api://AzureADTokenExchange"],
    });
    w.azure.writes = [];
    const p = await planStep(federatedCredentialStep, w.ctx);
    expect(p.change).toBe("none");
    expect(p.details!.name).toBe("made-by-hand");
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual([]);
    expect(w.ctx.state.outputs.federatedCredential!.name).toBe("made-by-hand");
  });

  it("does not match an issuer that differs only by the trailing slash", async () => {
    const w = await ready();
    await w.azure.putFederatedCredential("s", "rg-sandbox", "id-app", {
      name: "no-slash",
      issuer: w.azure.issuerOnEnable.replace(/\/$/, ""),
      subject: SUBJECT,
      audiences: ["api://AzureADTokenExchange"],
    });
    expect((await planStep(federatedCredentialStep, w.ctx)).change).toBe("create");
  });

  it("updates a matching credential whose audiences are wrong", async () => {
    const w = await ready();
    await w.azure.putFederatedCredential("s", "rg-sandbox", "id-app", {
      name: "old",
      issuer: w.azure.issuerOnEnable,
      subject: SUBJECT,
      audiences: ["api://AzureADTokenExchange", "other"],
    });
    w.azure.writes = [];
    const p = await planStep(federatedCredentialStep, w.ctx);
    expect(p.change).toBe("update");
    await applyPlan(w.ctx, p);
    expect(w.azure.writes).toEqual(["putFederatedCredential old"]);
    expect((await w.azure.listFederatedCredentials("s", "rg-sandbox", "id-app"))[0]!.audiences).toEqual(["api://AzureADTokenExchange"]);
  });

  it(`stops with a clear message at ${MAX_FEDERATED_CREDENTIALS} credentials`, async () => {
    const w = await ready();
    for (let n = 0; n < 20; n++) {
      await w.azure.putFederatedCredential("s", "rg-sandbox", "id-app", {
        name: `fc-${n}`,
        issuer: w.azure.issuerOnEnable,
        subject: `system:serviceaccount:other:sa-${n}`,
        audiences: ["api://AzureADTokenExchange"],
      });
    }
    w.azure.writes = [];
    const err = await planStep(federatedCredentialStep, w.ctx).catch((e) => e);
    expect(err).toBeInstanceOf(StepError);
    expect(err.message).toMatch(/20 federated credentials.*limit is 20/);
    expect(w.azure.writes).toEqual([]);
  });

  it("refuses to overwrite a same-named credential that serves another subject", async () => {
    const w = await ready();
    await w.azure.putFederatedCredential("s", "rg-sandbox", "id-app", {
      name: "fc-app",
      issuer: w.azure.issuerOnEnable,
      subject: "system:serviceaccount:other:sa",
      audiences: ["api://AzureADTokenExchange"],
    });
    w.azure.writes = [];
    await expect(planStep(federatedCredentialStep, w.ctx)).rejects.toThrow(/already has a federated credential named "fc-app"/);
    expect(w.azure.writes).toEqual([]);
  });

  it("with the issuer still unknown, refuses at run time a same-named credential for another issuer, writing nothing", async () => {
    const w = world();
    await w.azure.createIdentity("s", "rg-sandbox", "id-app", "eastus");
    await w.azure.putFederatedCredential("s", "rg-sandbox", "id-app", {
      name: "fc-app",
      issuer: "https://old-issuer.example/",
      subject: SUBJECT,
      audiences: ["api://AzureADTokenExchange"],
    });
    const p = await planStep(federatedCredentialStep, w.ctx);
    expect(p.change).toBe("create");
    expect(p.details!.issuer).toBe("(known after apply)");
    // The cluster update (another step's operation) publishes the issuer.
    await w.azure.enableWorkloadIdentity({ ...w.azure.cluster, etag: w.azure.etag() });
    w.ctx.state.outputs.issuerUrl = w.azure.issuerOnEnable;
    w.azure.writes = [];
    await expect(applyPlan(w.ctx, p)).rejects.toThrow(/already has a federated credential named "fc-app" for issuer https:\/\/old-issuer/);
    expect(w.azure.writes).toEqual([]);
  });
});
