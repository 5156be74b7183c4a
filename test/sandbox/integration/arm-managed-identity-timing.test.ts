// The managed-identity service's timing behaviours through the real @azure/arm-msi client:
// a second federated-credential write on one identity while the first is in flight gets 409,
// and writes right after the identity is created get ParentResourceNotFound until it replicates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

async function outcome(p: Promise<unknown>): Promise<{ ok: true } | { ok: false; statusCode?: number; code?: string; message: string }> {
  try {
    await p;
    return { ok: true };
  } catch (e) {
    const err = e as { statusCode?: number; code?: string; message: string };
    return { ok: false, statusCode: err.statusCode, code: err.code, message: err.message };
  }
}

const fic = (subject: string, issuer: string) => ({ issuer, subject, audiences: ["api://AzureADTokenExchange"] });

describe("concurrent federated-credential writes on one identity", () => {
  let sb: TestSandbox;
  let msi: ManagedServiceIdentityClient;
  let issuer: string;
  beforeAll(async () => {
    sb = await startTestSandbox({ latency: { identityWriteMs: 300 } });
    msi = new ManagedServiceIdentityClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    issuer = `${sb.info.oidcBase}/${sb.info.tenantId}/00000000-0000-0000-0000-000000000002/`;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("lets one through and answers the other 409; different identities write in parallel", async () => {
    const rg = sb.info.resourceGroup;
    const started = Date.now();
    await Promise.all([
      msi.userAssignedIdentities.createOrUpdate(rg, "id-one", { location: "eastus" }),
      msi.userAssignedIdentities.createOrUpdate(rg, "id-two", { location: "eastus" }),
    ]);
    // An identity write takes the service's write time before it answers.
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const [a, b] = await Promise.all([
      outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-one", "fic-a", fic("system:serviceaccount:ns:a", issuer))),
      outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-one", "fic-b", fic("system:serviceaccount:ns:b", issuer))),
    ]);
    const failed = [a, b].filter((o) => !o.ok);
    expect([a, b].filter((o) => o.ok)).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      statusCode: 409,
      code: "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
      message: `Too many Federated Identity Credentials are written concurrently for the managed identity '/subscriptions/${sb.info.subscriptionId}/resourcegroups/${rg}/providers/microsoft.managedidentity/userassignedidentities/id-one'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported.`,
    });

    const parallel = await Promise.all([
      outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-one", "fic-c", fic("system:serviceaccount:ns:c", issuer))),
      outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-two", "fic-c", fic("system:serviceaccount:ns:c", issuer))),
    ]);
    expect(parallel).toEqual([{ ok: true }, { ok: true }]);

    // Once the write is done, the next one goes through.
    const retry = await outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-one", "fic-d", fic("system:serviceaccount:ns:d", issuer)));
    expect(retry).toEqual({ ok: true });
  });
});

describe("federated credentials right after the identity is created", () => {
  let sb: TestSandbox;
  let msi: ManagedServiceIdentityClient;
  beforeAll(async () => {
    sb = await startTestSandbox({ latency: { ficParentNotFoundMs: 1000 } });
    msi = new ManagedServiceIdentityClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("are ParentResourceNotFound until the identity has replicated, then succeed", async () => {
    const rg = sb.info.resourceGroup;
    const issuer = `${sb.info.oidcBase}/${sb.info.tenantId}/00000000-0000-0000-0000-000000000003/`;
    await msi.userAssignedIdentities.createOrUpdate(rg, "id-new", { location: "eastus" });
    const createdAt = Date.now();
    const early = await outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-new", "fic-early", fic("system:serviceaccount:ns:x", issuer)));
    expect(early).toMatchObject({
      ok: false,
      statusCode: 404,
      code: "ParentResourceNotFound",
      message: `Failed to perform 'write' on resource(s) of type 'userAssignedIdentities/federatedIdentityCredentials', because the parent resource '/subscriptions/${sb.info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-new' could not be found.`,
    });
    // The identity itself is readable meanwhile.
    expect((await msi.userAssignedIdentities.get(rg, "id-new")).name).toBe("id-new");

    await new Promise((r) => setTimeout(r, Math.max(0, 1050 - (Date.now() - createdAt))));
    const later = await outcome(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-new", "fic-early", fic("system:serviceaccount:ns:x", issuer)));
    expect(later).toEqual({ ok: true });
  });
});
