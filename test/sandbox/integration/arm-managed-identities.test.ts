// Microsoft.ManagedIdentity on the sandbox's ARM through the real @azure/arm-msi client:
// identities (create/update/get/list/delete, Entra principal) and their federated credentials
// (one audience, https issuer, unique issuer+subject, at most 20, paging with $top/$skiptoken).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { failure, rawCall } from "./calls.harness.js";

let sb: TestSandbox;
let msi: ManagedServiceIdentityClient;
let rg: string;
let issuer: string;

/** A raw ARM call with the operator's token, for requests the SDK refuses to send. */
async function armRaw(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const token = (await (await operatorCredential(sb)).getToken(sandboxCloud(sb.dir).armScope))!.token;
  const r = await rawCall(sb, method, path, { token, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: r.json };
}

beforeAll(async () => {
  sb = await startTestSandbox();
  const profile = sandboxCloud(sb.dir);
  msi = new ManagedServiceIdentityClient(await operatorCredential(sb), sb.info.subscriptionId, profile.clientOptions());
  rg = sb.info.resourceGroup;
  issuer = `${sb.info.oidcBase}/${sb.info.tenantId}/00000000-0000-0000-0000-000000000001/`;
});
afterAll(async () => {
  await sb?.stop();
});

describe("userAssignedIdentities", () => {
  it("creates an identity with its Entra principal, updates, gets, lists and deletes it", async () => {
    const created = await msi.userAssignedIdentities.createOrUpdate(rg, "id-app", { location: "East US", tags: { team: "a" } });
    expect(created).toMatchObject({
      name: "id-app",
      location: "eastus",
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      tenantId: sb.info.tenantId,
      tags: { team: "a" },
    });
    expect(created.id).toBe(`/subscriptions/${sb.info.subscriptionId}/resourcegroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-app`);
    expect(created.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.principalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.principalId).not.toBe(created.clientId);

    const principal = sb.sandbox.world.state.principals[created.clientId!.toLowerCase()];
    expect(principal).toMatchObject({ clientId: created.clientId, principalId: created.principalId, displayName: "id-app", kind: "managedIdentity" });

    const updated = await msi.userAssignedIdentities.createOrUpdate(rg, "id-app", { location: "eastus", tags: { team: "b" } });
    expect(updated).toMatchObject({ clientId: created.clientId, principalId: created.principalId, tags: { team: "b" } });

    expect(await msi.userAssignedIdentities.get(rg, "ID-APP")).toMatchObject({ name: "id-app", clientId: created.clientId });

    await msi.userAssignedIdentities.createOrUpdate(rg, "id-other", { location: "eastus" });
    const inRg: string[] = [];
    for await (const i of msi.userAssignedIdentities.listByResourceGroup(rg)) inRg.push(i.name!);
    expect(inRg.sort()).toEqual(["id-app", "id-other"]);
    const inSub: string[] = [];
    for await (const i of msi.userAssignedIdentities.listBySubscription()) inSub.push(i.name!);
    expect(inSub.sort()).toEqual(["id-app", "id-other"]);

    await msi.userAssignedIdentities.delete(rg, "id-other");
    const gone = await failure(msi.userAssignedIdentities.get(rg, "id-other"));
    expect(gone.statusCode).toBe(404);
    expect(gone.code).toBe("ResourceNotFound");
    expect(gone.message).toBe(
      `The Resource 'Microsoft.ManagedIdentity/userAssignedIdentities/id-other' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
    // Deleting what is not there is a success without content.
    await msi.userAssignedIdentities.delete(rg, "id-other");
  });

  it("answers 201 on create and 200 on update", async () => {
    const statuses: number[] = [];
    const onResponse = (r: { status: number }) => statuses.push(r.status);
    await msi.userAssignedIdentities.createOrUpdate(rg, "id-status", { location: "eastus" }, { onResponse });
    await msi.userAssignedIdentities.createOrUpdate(rg, "id-status", { location: "eastus" }, { onResponse });
    expect(statuses).toEqual([201, 200]);
  });

  it("rejects names outside Azure's rule and an unknown resource group", async () => {
    for (const bad of ["ab", "-starts-with-dash", "has.dot", "x".repeat(129)]) {
      const e = await failure(msi.userAssignedIdentities.createOrUpdate(rg, bad, { location: "eastus" }));
      expect(e.statusCode, bad).toBe(400);
      expect(e.code, bad).toBe("InvalidResourceName");
    }
    expect((await msi.userAssignedIdentities.createOrUpdate(rg, "a_b-3", { location: "eastus" })).name).toBe("a_b-3");
    const idPath = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-noloc`;
    const noLocation = await armRaw("PUT", `${idPath}?api-version=2023-01-31`, { tags: {} });
    expect(noLocation).toEqual({
      status: 400,
      json: { error: { code: "LocationRequired", message: "The location property is required for this definition." } },
    });
    // Older and preview api-versions Azure still serves are accepted too.
    expect((await armRaw("PUT", `${idPath}?api-version=2018-11-30`, { location: "eastus" })).status).toBe(201);
    expect((await armRaw("GET", `${idPath}?api-version=2025-01-31-preview`)).json.properties.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await armRaw("GET", `${idPath}?api-version=2026-05-31`)).status).toBe(200);
    // Federated credentials do not exist before 2022-01-31-preview.
    const oldFic = await armRaw("GET", `${idPath}/federatedIdentityCredentials?api-version=2018-11-30`);
    expect(oldFic.status).toBe(400);
    expect(oldFic.json.error.code).toBe("NoRegisteredProviderFound");
    expect(oldFic.json.error.message).toContain("2022-01-31-preview, 2023-01-31");
    const noRg = await failure(msi.userAssignedIdentities.get("rg-missing", "id-app"));
    expect(noRg).toMatchObject({ statusCode: 404, code: "ResourceGroupNotFound" });
  });
});

describe("federatedIdentityCredentials", () => {
  beforeAll(async () => {
    await msi.userAssignedIdentities.createOrUpdate(rg, "id-fic", { location: "eastus" });
  });

  it("creates, updates, gets and deletes a credential with one audience", async () => {
    const made = await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-web", {
      issuer,
      subject: "system:serviceaccount:default:web",
      audiences: ["api://AzureADTokenExchange"],
    });
    expect(made).toMatchObject({
      name: "fic-web",
      type: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials",
      issuer,
      subject: "system:serviceaccount:default:web",
      audiences: ["api://AzureADTokenExchange"],
    });
    expect(made.id).toMatch(/\/userAssignedIdentities\/id-fic\/federatedIdentityCredentials\/fic-web$/);
    const record = Object.values(sb.sandbox.world.state.federatedCredentials).find((f) => f.name === "fic-web")!;
    expect(record.createdAt).toBe(record.updatedAt);

    const updated = await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-web", {
      issuer,
      subject: "system:serviceaccount:default:web2",
      audiences: ["api://AzureADTokenExchange"],
    });
    expect(updated.subject).toBe("system:serviceaccount:default:web2");
    expect((await msi.federatedIdentityCredentials.get(rg, "id-fic", "fic-web")).subject).toBe("system:serviceaccount:default:web2");

    await msi.federatedIdentityCredentials.delete(rg, "id-fic", "fic-web");
    const gone = await failure(msi.federatedIdentityCredentials.get(rg, "id-fic", "fic-web"));
    expect(gone.statusCode).toBe(404);
  });

  it("enforces exactly one audience, an https issuer, all properties, and the name rule", async () => {
    const two = await failure(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-two", { issuer, subject: "s", audiences: ["a", "b"] }));
    expect(two).toMatchObject({
      statusCode: 400,
      code: "InvalidFederatedIdentityCredentialsAudienceLength",
      message: "Federated identity credentials must have exactly 1 audience.",
    });
    const none = await failure(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-none", { issuer, subject: "s", audiences: [] }));
    expect(none.code).toBe("InvalidFederatedIdentityCredentialsAudienceLength");
    const http = await failure(
      msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-http", { issuer: "http://example.com/", subject: "s", audiences: ["a"] }),
    );
    expect(http.statusCode).toBe(400);
    const noSubject = await failure(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-nosub", { issuer, audiences: ["a"] }));
    expect(noSubject).toMatchObject({
      statusCode: 400,
      message: "The request format was unexpected. Federated Identity Credential must specify 'issuer', 'subject' and 'audience'.",
    });
    for (const bad of ["ab", "_x1", "bad.name", "y".repeat(121)]) {
      const e = await failure(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", bad, { issuer, subject: "s", audiences: ["a"] }));
      expect(e.statusCode, bad).toBe(400);
      expect(e.message, bad).toBe(`Federated Identity Credential name '${bad}' is invalid.`);
    }
  });

  it("refuses the same issuer and subject under another name", async () => {
    await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-a", {
      issuer,
      subject: "system:serviceaccount:ns:sa",
      audiences: ["api://AzureADTokenExchange"],
    });
    const dup = await failure(
      msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-b", {
        issuer,
        subject: "system:serviceaccount:ns:sa",
        audiences: ["api://AzureADTokenExchange"],
      }),
    );
    expect(dup).toMatchObject({ code: "Conflict", message: "Issuer and subject combination already exists for this Managed Identity." });
    // Subjects compare case-sensitively, as Entra matches them.
    await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-fic", "fic-b", {
      issuer,
      subject: "system:serviceaccount:ns:SA",
      audiences: ["api://AzureADTokenExchange"],
    });
  });

  it("answers ParentResourceNotFound under an identity that does not exist", async () => {
    const e = await failure(msi.federatedIdentityCredentials.createOrUpdate(rg, "id-missing", "fic-x", { issuer, subject: "s", audiences: ["a"] }));
    expect(e).toMatchObject({
      statusCode: 404,
      code: "ParentResourceNotFound",
      message: `Failed to perform 'write' on resource(s) of type 'userAssignedIdentities/federatedIdentityCredentials', because the parent resource '/subscriptions/${sb.info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-missing' could not be found.`,
    });
  });

  it("holds at most 20 per identity and pages them with $top and nextLink", async () => {
    await msi.userAssignedIdentities.createOrUpdate(rg, "id-many", { location: "eastus" });
    for (let i = 0; i < 20; i++) {
      await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-many", `fic-${String(i).padStart(2, "0")}`, {
        issuer,
        subject: `system:serviceaccount:ns:sa-${i}`,
        audiences: ["api://AzureADTokenExchange"],
      });
    }
    const over = await failure(
      msi.federatedIdentityCredentials.createOrUpdate(rg, "id-many", "fic-20", {
        issuer,
        subject: "system:serviceaccount:ns:sa-20",
        audiences: ["api://AzureADTokenExchange"],
      }),
    );
    expect(over.statusCode).toBe(400);
    expect(over.message).toMatch(/at most 20 Federated Identity Credentials/);
    // Updating one of the twenty is still allowed.
    await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-many", "fic-00", {
      issuer,
      subject: "system:serviceaccount:ns:sa-0b",
      audiences: ["api://AzureADTokenExchange"],
    });

    const pages: number[] = [];
    const names: string[] = [];
    for await (const page of msi.federatedIdentityCredentials.list(rg, "id-many", { top: 7 }).byPage()) {
      pages.push(page.length);
      names.push(...page.map((f) => f.name!));
    }
    expect(pages).toEqual([7, 7, 6]);
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `fic-${String(i).padStart(2, "0")}`));

    const all: string[] = [];
    for await (const f of msi.federatedIdentityCredentials.list(rg, "id-many")) all.push(f.name!);
    expect(all).toHaveLength(20);
  });

  it("deleting the identity deletes its credentials and its principal", async () => {
    const id = await msi.userAssignedIdentities.createOrUpdate(rg, "id-gone", { location: "eastus" });
    await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-gone", "fic-1", { issuer, subject: "s1", audiences: ["api://AzureADTokenExchange"] });
    await msi.userAssignedIdentities.delete(rg, "id-gone");
    expect(sb.sandbox.world.state.principals[id.clientId!.toLowerCase()]).toBeUndefined();
    expect(Object.values(sb.sandbox.world.state.federatedCredentials).filter((f) => f.id.includes("/id-gone/"))).toEqual([]);
  });
});
