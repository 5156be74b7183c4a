// The sandbox's Entra for the operator: the REAL ClientSecretCredential, configured exactly as the
// product's sandbox cloud profile does, gets an ARM token that the real ARM SDK is served with;
// raw requests show Entra's discovery documents and error bodies.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { ClientSecretCredential } from "@azure/identity";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { decodeJwt } from "jose";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { rawCall } from "./calls.harness.js";

let sb: TestSandbox;
let ca: string;
beforeAll(async () => {
  sb = await startTestSandbox();
  ca = readFileSync(sb.info.caFile, "utf8");
});
afterAll(async () => {
  await sb?.stop();
});

/** A raw call to the sandbox's Entra (a form POST when `form` is given); body is JSON when it parses. */
async function call(method: string, path: string, form?: Record<string, string>): Promise<{ status: number; body: any; headers: Record<string, unknown> }> {
  const url = new URL(path, sb.info.authorityHost);
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const r = await rawCall(sb, method, url.pathname + url.search, { base: url.origin, body, contentType: "application/x-www-form-urlencoded" });
  return { status: r.status, body: r.json !== undefined ? r.json : r.text, headers: r.headers };
}

const operatorForm = (extra: Record<string, string> = {}) => ({
  grant_type: "client_credentials",
  client_id: sb.info.clientId,
  client_secret: sb.info.clientSecret,
  scope: "https://management.azure.com/.default",
  ...extra,
});

describe("operator (client secret)", () => {
  test("the product's sandbox profile credential gets an ARM token the real ARM SDK is served with", async () => {
    const profile = sandboxCloud(sb.dir);
    const token = await profile.credential().getToken(profile.armScope);
    const claims = decodeJwt(token!.token);
    const operator = sb.sandbox.world.state.principals[sb.info.clientId.toLowerCase()];
    expect(claims).toMatchObject({
      tid: sb.info.tenantId,
      oid: operator.principalId,
      appid: sb.info.clientId,
      iss: `https://sts.windows.net/${sb.info.tenantId}/`,
    });
    const client = new ContainerServiceClient(profile.credential(), sb.info.subscriptionId, profile.clientOptions());
    const cluster = await client.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    expect(cluster.name).toBe(sb.info.clusterName);
  });

  test("a wrong secret → AADSTS7000215 (401 invalid_client) from the real credential", async () => {
    const cred = new ClientSecretCredential(sb.info.tenantId, sb.info.clientId, "not-the-secret", {
      authorityHost: sb.info.authorityHost,
      disableInstanceDiscovery: true,
      tlsOptions: { ca },
    } as ConstructorParameters<typeof ClientSecretCredential>[3]);
    await expect(cred.getToken("https://management.azure.com/.default")).rejects.toThrow(/AADSTS7000215/);
    const raw = await call("POST", `/${sb.info.tenantId}/oauth2/v2.0/token`, operatorForm({ client_secret: "nope" }));
    expect(raw.status).toBe(401);
    expect(raw.body.error).toBe("invalid_client");
  });

  test("token response has Entra's shape; the AKS server app is a known resource", async () => {
    const r = await call("POST", `/${sb.info.tenantId}/oauth2/v2.0/token`, operatorForm({ scope: "6dae42f8-4368-4678-94ff-3960e28e3630/.default" }));
    expect(r.status).toBe(200);
    expect(Object.keys(r.body).sort()).toEqual(["access_token", "expires_in", "ext_expires_in", "token_type"]);
    expect(r.body.token_type).toBe("Bearer");
    expect(decodeJwt(r.body.access_token).aud).toBe("6dae42f8-4368-4678-94ff-3960e28e3630");
  });
});

describe("foreign tenant", () => {
  test("the operator can get a foreign-tenant token, which ARM's check for the home tenant refuses", async () => {
    const foreign = sb.sandbox.world.state.foreignTenantId;
    const r = await call("POST", `/${foreign}/oauth2/v2.0/token`, operatorForm());
    expect(r.status).toBe(200);
    expect(decodeJwt(r.body.access_token).tid).toBe(foreign);
    const check = await sb.sandbox.ctx.tokens.verifyBearer(`Bearer ${r.body.access_token}`, [sb.info.armAudience], sb.info.tenantId);
    expect(check.ok ? "ok" : check.reason).toBe("tenant");
  });
});

describe("Entra's errors", () => {
  test("error body: error, AADSTS description with trace lines, error_codes, ids, error_uri", async () => {
    const r = await call("POST", `/${sb.info.tenantId}/oauth2/v2.0/token`, operatorForm({ scope: "https://unknown.example.com/.default" }));
    expect(r.status).toBe(400);
    expect(r.body.error).toBe("invalid_resource");
    expect(r.body.error_codes).toEqual([500011]);
    expect(r.body.error_description).toMatch(
      /^AADSTS500011: The resource principal named https:\/\/unknown\.example\.com was not found.*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: [0-9a-f-]{36}\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/s,
    );
    expect(r.body.trace_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.body.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/);
    expect(r.body.error_uri).toBe(`${sb.info.authorityHost}/error?code=500011`);
  });

  test("a scope without /.default → AADSTS1002012; missing grant_type → AADSTS900144", async () => {
    const noDefault = await call("POST", `/${sb.info.tenantId}/oauth2/v2.0/token`, operatorForm({ scope: "https://management.azure.com/user_impersonation" }));
    expect([noDefault.status, noDefault.body.error, noDefault.body.error_codes]).toEqual([400, "invalid_scope", [1002012]]);
    const noGrant = await call("POST", `/${sb.info.tenantId}/oauth2/v2.0/token`, { client_id: sb.info.clientId });
    expect([noGrant.status, noGrant.body.error_codes]).toEqual([400, [900144]]);
  });

  test("an unknown tenant → AADSTS90002 on discovery and on the token endpoint", async () => {
    const t = randomUUID();
    const d = await call("GET", `/${t}/v2.0/.well-known/openid-configuration`);
    expect([d.status, d.body.error, d.body.error_codes]).toEqual([400, "invalid_tenant", [90002]]);
    expect(d.body.error_description).toContain(`Tenant '${t}' not found.`);
    const tok = await call("POST", `/${t}/oauth2/v2.0/token`, operatorForm());
    expect(tok.body.error_codes).toEqual([90002]);
  });

  test("an unknown client ID → AADSTS700016 (unauthorized_client)", async () => {
    const r = await call("POST", `/${sb.info.tenantId}/oauth2/v2.0/token`, operatorForm({ client_id: randomUUID() }));
    expect([r.status, r.body.error, r.body.error_codes]).toEqual([400, "unauthorized_client", [700016]]);
  });

  test("GET of the token endpoint → AADSTS900561; unknown paths → 404", async () => {
    const g = await call("GET", `/${sb.info.tenantId}/oauth2/v2.0/token`);
    expect(g.body.error_codes).toEqual([900561]);
    expect((await call("GET", "/nothing/here")).status).toBe(404);
  });
});

describe("discovery", () => {
  test("tenant OpenID configuration names this host's endpoints and issuer", async () => {
    const r = await call("GET", `/${sb.info.tenantId}/v2.0/.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      issuer: `${sb.info.authorityHost}/${sb.info.tenantId}/v2.0`,
      token_endpoint: `${sb.info.authorityHost}/${sb.info.tenantId}/oauth2/v2.0/token`,
      jwks_uri: `${sb.info.authorityHost}/${sb.info.tenantId}/discovery/v2.0/keys`,
      authorization_endpoint: `${sb.info.authorityHost}/${sb.info.tenantId}/oauth2/v2.0/authorize`,
    });
    const common = await call("GET", "/common/v2.0/.well-known/openid-configuration");
    expect(common.body.issuer).toBe(`${sb.info.authorityHost}/{tenantid}/v2.0`);
    expect(common.body.token_endpoint).toBe(`${sb.info.authorityHost}/common/oauth2/v2.0/token`);
  });

  test("Azure Stack's ADFS authority form (/adfs) answers as the home tenant, for MSAL clients that cannot skip instance discovery", async () => {
    const r = await call("GET", "/adfs/.well-known/openid-configuration");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      issuer: `${sb.info.authorityHost}/${sb.info.tenantId}/v2.0`,
      token_endpoint: `${sb.info.authorityHost}/${sb.info.tenantId}/oauth2/v2.0/token`,
    });
    expect((await call("GET", "/adfs/oauth2/v2.0/token")).status).toBe(400);
  });

  test("the keys endpoint publishes the key that signs the access tokens", async () => {
    const keys = await call("GET", `/${sb.info.tenantId}/discovery/v2.0/keys`);
    const token = await sb.sandbox.ctx.tokens.mintAccessToken({
      tenantId: sb.info.tenantId,
      audience: "https://management.azure.com",
      clientId: sb.info.clientId,
      principalId: randomUUID(),
    });
    const kid = JSON.parse(Buffer.from(token.split(".")[0], "base64url").toString()).kid;
    expect(keys.body.keys.map((k: { kid: string }) => k.kid)).toContain(kid);
  });

  test("instance discovery names the sandbox host as its own cloud", async () => {
    const auth = `${sb.info.authorityHost}/${sb.info.tenantId}/oauth2/v2.0/authorize`;
    const r = await call("GET", `/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(auth)}`);
    const host = new URL(sb.info.authorityHost).host;
    expect(r.body).toEqual({
      tenant_discovery_endpoint: `${sb.info.authorityHost}/${sb.info.tenantId}/v2.0/.well-known/openid-configuration`,
      "api-version": "1.1",
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  });
});
