// The sandbox's Microsoft Graph (its own listener, sandbox.json's graphEndpoint) through raw HTTPS
// with tokens an Azure SDK credential got from the sandbox's Entra token endpoint: every principal
// of the world (the operator, a managed identity's, a `sandbox principal create` one) is found by
// servicePrincipalNames/any(...), by appId, by object ID and through directoryObjects/getByIds;
// users are not (an application is not a user); the answers and errors carry Graph's shapes; and
// the listener takes part in the request log, faults and round trips like the others.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientSecretCredential } from "@azure/identity";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { createPrincipal } from "../../../sandbox/control/principals.js";
import { readRequestLog } from "../../../sandbox/index.js";
import type { PrincipalCredentials } from "../../../sandbox/info.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { rawCall } from "./calls.harness.js";

const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
let sb: TestSandbox;
let token: string;
let identity: { clientId: string; principalId: string; id: string };
let made: PrincipalCredentials;

const graph = (method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}) =>
  rawCall(sb, method, path, {
    base: sb.info.graphEndpoint,
    token: opts.token ?? token,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    headers: opts.headers,
  });
const filter = (f: string) => `/v1.0/servicePrincipals?$filter=${encodeURIComponent(f)}`;

function credentialOf(clientId: string, clientSecret: string) {
  return new ClientSecretCredential(sb.info.tenantId, clientId, clientSecret, {
    authorityHost: sb.info.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: sandboxCloud(sb.dir).caPem },
  });
}

beforeAll(async () => {
  sb = await startTestSandbox();
  token = (await (await operatorCredential(sb)).getToken(GRAPH_SCOPE))!.token;
  const msi = new ManagedServiceIdentityClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
  const created = await msi.userAssignedIdentities.createOrUpdate(sb.info.resourceGroup, "id-graph", { location: "eastus" });
  identity = { clientId: created.clientId!, principalId: created.principalId!, id: created.id! };
  const r = createPrincipal(sb.sandbox.ctx, sb.dir, { name: "ci-deployer", roles: [{ role: "Reader" }] });
  if (!("clientId" in r)) throw new Error(r.message);
  made = r;
});
afterAll(async () => sb?.stop());

describe("Microsoft Graph: service principals", () => {
  it("sandbox.json names the listener and Graph's audience; /metadata/endpoints names the listener as microsoftGraphResourceId", async () => {
    expect(sb.info.graphEndpoint).toBe(`https://127.0.0.1:${sb.info.ports.graph}`);
    expect(sb.info.graphAudience).toBe("https://graph.microsoft.com");
    const meta = await rawCall(sb, "GET", "/metadata/endpoints?api-version=2022-09-01");
    expect(meta.json.microsoftGraphResourceId).toBe(`${sb.info.graphEndpoint}/`);
  });

  it("finds the operator by servicePrincipalNames/any(...) (as `az ad sp show --id` asks), by appId and by object ID", async () => {
    const bySpn = await graph("GET", filter(`servicePrincipalNames/any(c:c eq '${sb.info.clientId}')`));
    expect(bySpn.status).toBe(200);
    expect(bySpn.headers["content-type"]).toMatch(/^application\/json;odata\.metadata=minimal/);
    expect(bySpn.headers["odata-version"]).toBe("4.0");
    expect(bySpn.json["@odata.context"]).toBe(`${sb.info.graphEndpoint}/v1.0/$metadata#servicePrincipals`);
    expect(bySpn.json.value).toHaveLength(1);
    const op = bySpn.json.value[0];
    expect(op).toMatchObject({
      appId: sb.info.clientId,
      displayName: "aks-wi-sandbox-operator",
      servicePrincipalType: "Application",
      accountEnabled: true,
      appOwnerOrganizationId: sb.info.tenantId,
      servicePrincipalNames: [sb.info.clientId],
    });
    expect(op.id).toMatch(/^[0-9a-f-]{36}$/);

    const byAppId = await graph("GET", filter(`appId eq '${sb.info.clientId.toUpperCase()}'`));
    expect(byAppId.json.value.map((s: any) => s.id)).toEqual([op.id]);
    const byId = await graph("GET", `/v1.0/servicePrincipals/${op.id}`);
    expect(byId.status).toBe(200);
    expect(byId.json).toEqual({ "@odata.context": `${sb.info.graphEndpoint}/v1.0/$metadata#servicePrincipals/$entity`, ...op });
    const byAlternateKey = await graph("GET", `/v1.0/servicePrincipals(appId='${sb.info.clientId}')`);
    expect(byAlternateKey.json.id).toBe(op.id);
    // no match is an empty list, not an error (az then tries the value as an object ID)
    const none = await graph("GET", filter("servicePrincipalNames/any(x:x eq 'no-such-name')"));
    expect([none.status, none.json.value]).toEqual([200, []]);
  });

  it("finds a managed identity's service principal (made with the identity) and one `sandbox principal create` made", async () => {
    const mi = (await graph("GET", filter(`servicePrincipalNames/any(c:c eq '${identity.clientId}')`))).json.value;
    expect(mi).toEqual([
      expect.objectContaining({
        id: identity.principalId,
        appId: identity.clientId,
        displayName: "id-graph",
        servicePrincipalType: "ManagedIdentity",
        alternativeNames: ["isExplicit=True", identity.id],
      }),
    ]);
    expect(mi[0].servicePrincipalNames[0]).toBe(identity.clientId);
    expect(mi[0].servicePrincipalNames[1]).toMatch(/^https:\/\/identity\.azure\.net\//);
    const ci = (await graph("GET", filter(`appId eq '${made.clientId}'`))).json.value;
    expect(ci).toEqual([expect.objectContaining({ id: made.objectId, appId: made.clientId, displayName: "ci-deployer", servicePrincipalType: "Application" })]);
    const byName = (await graph("GET", filter("displayName eq 'ci-deployer'"))).json.value;
    expect(byName.map((s: any) => s.id)).toEqual([made.objectId]);
    const list = (await graph("GET", "/v1.0/servicePrincipals")).json.value.map((s: any) => s.appId);
    expect(list).toEqual(expect.arrayContaining([sb.info.clientId, identity.clientId, made.clientId]));
  });

  it("directoryObjects/getByIds answers the objects it knows, typed, in the order asked (as az's role commands send it)", async () => {
    const r = await graph("POST", "/v1.0/directoryObjects/getByIds", {
      body: {
        ids: [made.objectId, "00000000-0000-0000-0000-000000000000", identity.principalId],
        types: ["user", "group", "servicePrincipal", "directoryObjectPartnerReference"],
      },
    });
    expect(r.status).toBe(200);
    expect(r.json["@odata.context"]).toBe(`${sb.info.graphEndpoint}/v1.0/$metadata#directoryObjects`);
    expect(r.json.value.map((o: any) => [o["@odata.type"], o.id])).toEqual([
      ["#microsoft.graph.servicePrincipal", made.objectId],
      ["#microsoft.graph.servicePrincipal", identity.principalId],
    ]);
    expect((await graph("POST", "/v1.0/directoryObjects/getByIds", { body: { ids: [made.objectId], types: ["user"] } })).json.value).toEqual([]);
    const bad = await graph("POST", "/v1.0/directoryObjects/getByIds", { body: { types: ["user"] } });
    expect([bad.status, bad.json.error.code]).toEqual([400, "Request_BadRequest"]);
  });

  it("has no users: the operator is a service principal, so users/{upn} is Graph's 404", async () => {
    const r = await graph("GET", "/v1.0/users/operator@akswisandbox.onmicrosoft.com", {
      headers: { "client-request-id": "11111111-2222-3333-4444-555555555555" },
    });
    expect(r.status).toBe(404);
    expect(r.json.error).toMatchObject({
      code: "Request_ResourceNotFound",
      message: "Resource 'operator@akswisandbox.onmicrosoft.com' does not exist or one of its queried reference-property objects are not present.",
      innerError: { "client-request-id": "11111111-2222-3333-4444-555555555555", "request-id": r.headers["request-id"] },
    });
    expect((await graph("GET", `/v1.0/users/${sb.info.clientId}`)).status).toBe(404);
    const byFilter = await graph("GET", `/v1.0/users?$filter=${encodeURIComponent("userPrincipalName eq 'operator@akswisandbox.onmicrosoft.com'")}`);
    expect([byFilter.status, byFilter.json.value]).toEqual([200, []]);
    expect((await graph("GET", "/v1.0/me")).json.error.message).toBe("/me request is only valid with delegated authentication flow.");
    expect((await graph("GET", `/v1.0/servicePrincipals/${"0".repeat(8)}-0000-0000-0000-000000000000`)).json.error.code).toBe("Request_ResourceNotFound");
  });

  it("refuses a filter it cannot run, as Graph does", async () => {
    const r = await graph("GET", filter("startswith(displayName,'ci')"));
    expect([r.status, r.json.error.code]).toEqual([400, "Request_UnsupportedQuery"]);
  });
});

describe("Microsoft Graph: tokens", () => {
  it("takes a token for the listener's own URL (what az asks for, from microsoftGraphResourceId) as well as for graph.microsoft.com", async () => {
    const own = (await (await operatorCredential(sb)).getToken(`${sb.info.graphEndpoint}/.default`))!.token;
    expect((await graph("GET", "/v1.0/servicePrincipals", { token: own })).status).toBe(200);
  });

  it("401s a missing token and an ARM token, with Graph's challenge", async () => {
    const none = await graph("GET", "/v1.0/servicePrincipals", { token: "" });
    expect([none.status, none.json.error.code, none.json.error.message]).toEqual([401, "InvalidAuthenticationToken", "Access token is empty."]);
    expect(none.headers["www-authenticate"]).toContain('client_id="00000003-0000-0000-c000-000000000000"');
    const arm = (await (await operatorCredential(sb)).getToken(sandboxCloud(sb.dir).armScope))!.token;
    const wrong = await graph("GET", "/v1.0/servicePrincipals", { token: arm });
    expect([wrong.status, wrong.json.error.message]).toEqual([401, "Access token validation failure. Invalid audience."]);
  });

  it("403s a principal no administrator granted a directory permission (a `sandbox principal create` one)", async () => {
    const its = (await credentialOf(made.clientId, made.clientSecret).getToken(GRAPH_SCOPE))!.token;
    const r = await graph("GET", filter(`appId eq '${made.clientId}'`), { token: its });
    expect([r.status, r.json.error.code, r.json.error.message]).toEqual([
      403,
      "Authorization_RequestDenied",
      "Insufficient privileges to complete the operation.",
    ]);
  });

  it("logs its requests as the graph service, with the caller's object ID and no filter value", async () => {
    const op = (await graph("GET", filter(`appId eq '${sb.info.clientId}'`))).json.value[0];
    await new Promise((r) => setTimeout(r, 50));
    const lines = readRequestLog(sb.dir).filter((e) => e.service === "graph");
    expect(lines.length).toBeGreaterThan(5);
    const last = lines.at(-1)!;
    expect(last).toMatchObject({ method: "GET", path: "/v1.0/servicePrincipals?$filter", status: 200, caller: op.id });
    // the filter's value (a name or an ID) stays out of the log; only its key is kept
    expect(lines.filter((e) => e.path.includes("$filter")).every((e) => e.path.endsWith("?$filter"))).toBe(true);
  });
});

describe("Microsoft Graph: faults", () => {
  it("answers an injected 503 in Graph's error shape, then serves", async () => {
    const s = await startTestSandbox({ faults: "graph.503=1x1" });
    try {
      const t = (await (await operatorCredential(s)).getToken(GRAPH_SCOPE))!.token;
      const first = await rawCall(s, "GET", "/v1.0/servicePrincipals", { base: s.info.graphEndpoint, token: t });
      expect([first.status, first.headers["retry-after"], first.json.error.code]).toEqual([503, "1", "serviceNotAvailable"]);
      const second = await rawCall(s, "GET", "/v1.0/servicePrincipals", { base: s.info.graphEndpoint, token: t });
      expect(second.status).toBe(200);
      expect(s.sandbox.faults.injected()).toEqual({ "graph.503": 1 });
    } finally {
      await s.stop();
    }
  });
});
