// The ARM front door over raw HTTPS: every malformed or unauthorised request gets ARM's status,
// ARM's {"error":{"code","message"}} body and ARM's headers — and the sandbox keeps answering.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { mintOperatorToken, rawCall, type RawResponse } from "./calls.harness.js";

let sb: TestSandbox;
let token: string;
let clusterPath: string;
const AKS_API = "2025-10-01";

beforeAll(async () => {
  sb = await startTestSandbox();
  token = await mintOperatorToken(sb);
  clusterPath = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${sb.info.clusterName}`;
});
afterAll(async () => sb?.stop());

function expectArmError(r: RawResponse, status: number, code: string): void {
  expect(r.status).toBe(status);
  expect(r.json?.error?.code).toBe(code);
  expect(typeof r.json?.error?.message).toBe("string");
  expect(Object.keys(r.json)).toEqual(["error"]);
  expect(r.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(r.headers["x-ms-correlation-request-id"]).toBeTruthy();
}

describe("ARM request checks", () => {
  it("answers a GET of the cluster with ARM headers, echoing the client's IDs", async () => {
    const r = await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, {
      token,
      headers: { "x-ms-client-request-id": "client-123", "x-ms-correlation-request-id": "corr-456" },
    });
    expect(r.status).toBe(200);
    expect(r.json.name).toBe(sb.info.clusterName);
    expect(r.headers["x-ms-client-request-id"]).toBe("client-123");
    expect(r.headers["x-ms-correlation-request-id"]).toBe("corr-456");
    expect(r.headers["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("accepts a doubled leading slash and any case in the path", async () => {
    const r = await rawCall(sb, "GET", `/${clusterPath.toUpperCase().replace(sb.info.clusterName.toUpperCase(), sb.info.clusterName)}?api-version=${AKS_API}`, {
      token,
    });
    expect(r.status).toBe(200);
  });

  it("answers an unknown type in a known namespace with InvalidResourceType", async () => {
    const r = await rawCall(
      sb,
      "GET",
      `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/fleets/f1?api-version=${AKS_API}`,
      { token },
    );
    expectArmError(r, 404, "InvalidResourceType");
    expect(r.json.error.message).toContain("'fleets'");
  });

  it("answers an unknown namespace with InvalidResourceNamespace and a non-ARM path with 404", async () => {
    const ns = await rawCall(sb, "GET", `/subscriptions/${sb.info.subscriptionId}/providers/Contoso.Widgets/widgets?api-version=2024-01-01`, { token });
    expectArmError(ns, 400, "InvalidResourceNamespace");
    const other = await rawCall(sb, "GET", `/no/such/thing?api-version=2024-01-01`, { token });
    expectArmError(other, 404, "InvalidResourceType");
  });

  it("requires api-version", async () => {
    const r = await rawCall(sb, "GET", clusterPath, { token });
    expectArmError(r, 400, "MissingApiVersionParameter");
    expect(r.json.error.message).toBe("The api-version query parameter (?api-version=) is required for all requests.");
  });

  it("refuses an unsupported api-version, listing the supported ones", async () => {
    const r = await rawCall(sb, "GET", `${clusterPath}?api-version=2099-01-01`, { token });
    expectArmError(r, 400, "NoRegisteredProviderFound");
    expect(r.json.error.message).toContain("API version '2099-01-01' for type 'managedClusters'");
    expect(r.json.error.message).toContain("2024-01-01");
    const rg = await rawCall(sb, "GET", `/subscriptions/${sb.info.subscriptionId}/resourcegroups?api-version=1999-01-01`, { token });
    expectArmError(rg, 400, "InvalidApiVersionParameter");
    expect(rg.json.error.message).toMatch(/^The api-version '1999-01-01' is invalid\. The supported versions are '2025-04-01,/);
  });

  it("accepts older and newer managedClusters api-versions, not only the SDK's", async () => {
    for (const v of ["2023-08-01", "2024-05-01", "2025-10-01"]) {
      expect((await rawCall(sb, "GET", `${clusterPath}?api-version=${v}`, { token })).status).toBe(200);
    }
  });

  it("requires a token: 401 AuthenticationFailed with a WWW-Authenticate challenge", async () => {
    const r = await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`);
    expectArmError(r, 401, "AuthenticationFailed");
    expect(r.json.error.message).toBe("Authentication failed. The 'Authorization' header is missing.");
    expect(r.headers["www-authenticate"]).toMatch(
      /^Bearer authorization_uri="https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}", error="invalid_token", error_description="[^"]+"$/,
    );
  });

  it("refuses a garbage token and a token for another audience", async () => {
    const bad = await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, { token: "not.a.jwt" });
    expect(bad.status).toBe(401);
    expect(["AuthenticationFailed", "InvalidAuthenticationToken"]).toContain(bad.json.error.code);
    const vault = await mintOperatorToken(sb, { audience: "https://vault.azure.net" });
    expectArmError(await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, { token: vault }), 401, "InvalidAuthenticationTokenAudience");
  });

  it("refuses a foreign-tenant token with InvalidAuthenticationTokenTenant", async () => {
    const foreign = await mintOperatorToken(sb, { tenantId: sb.sandbox.world.state.foreignTenantId });
    const r = await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, { token: foreign });
    expectArmError(r, 401, "InvalidAuthenticationTokenTenant");
    expect(r.headers["www-authenticate"]).toContain('error="invalid_token"');
    // tenant-level lists take it, but show nothing of the sandbox's subscription
    const subs = await rawCall(sb, "GET", `/subscriptions?api-version=2022-12-01`, { token: foreign });
    expect(subs.status).toBe(200);
    expect(subs.json.value).toEqual([]);
  });

  it("answers 403 AuthorizationFailed to a principal without a role at the scope", async () => {
    const stranger = "0f0f0f0f-1111-2222-3333-444444444444";
    const t = await sb.sandbox.ctx.tokens.mintAccessToken({
      tenantId: sb.info.tenantId,
      audience: sb.info.armAudience,
      clientId: stranger,
      principalId: stranger,
    });
    const r = await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, { token: t });
    expectArmError(r, 403, "AuthorizationFailed");
    expect(r.json.error.message).toBe(
      `The client '${stranger}' with object id '${stranger}' does not have authorization to perform action 'Microsoft.ContainerService/managedClusters/read' over scope '${clusterPath}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
    // and sees no subscription in its list
    expect((await rawCall(sb, "GET", `/subscriptions?api-version=2022-12-01`, { token: t })).json.value).toEqual([]);
  });

  it("answers malformed JSON with InvalidRequestContent", async () => {
    const r = await rawCall(sb, "PUT", `${clusterPath}?api-version=${AKS_API}`, { token, body: '{"location": "eastus", ' });
    expectArmError(r, 400, "InvalidRequestContent");
    // and still serves the next request
    expect((await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, { token })).status).toBe(200);
  });

  it("answers a cluster PUT as an LRO: Azure-AsyncOperation on the ARM endpoint and Retry-After", async () => {
    const get = await rawCall(sb, "GET", `${clusterPath}?api-version=${AKS_API}`, { token });
    const put = await rawCall(sb, "PUT", `${clusterPath}?api-version=${AKS_API}`, { token, body: JSON.stringify(get.json) });
    expect(put.status).toBe(200);
    expect(put.json.properties.provisioningState).toBe("Updating");
    const op = String(put.headers["azure-asyncoperation"]);
    expect(op).toMatch(
      new RegExp(
        `^${sb.info.armEndpoint}/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.ContainerService/locations/eastus/operations/[0-9a-f-]{36}\\?api-version=`,
      ),
    );
    expect(put.headers["retry-after"]).toMatch(/^\d+$/);
    const status = await rawCall(sb, "GET", op.slice(sb.info.armEndpoint.length), { token });
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ status: "Succeeded" });
    expect(Date.parse(status.json.startTime)).not.toBeNaN();
    expect(Date.parse(status.json.endTime)).not.toBeNaN();
  });
});
