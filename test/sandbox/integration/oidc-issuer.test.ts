// The cluster's OIDC issuer host over real HTTPS (trusting only the sandbox CA): nothing before the
// issuer is enabled; then the AKS discovery document and JWKS for the current issuer path only,
// and service-account tokens that verify against that JWKS with kube-apiserver's claims.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from "jose";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { createClusterIssuer } from "../../../sandbox/oidc/issuer.js";
import { rawCall } from "./calls.harness.js";

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

/** A GET of a full URL on the issuer host; body is JSON when it parses. */
async function get(url: string): Promise<{ status: number; body: any; type?: string }> {
  const u = new URL(url);
  const r = await rawCall(sb, "GET", u.pathname + u.search, { base: u.origin });
  return { status: r.status, body: r.json !== undefined ? r.json : r.text, type: r.headers["content-type"] as string | undefined };
}

describe("cluster OIDC issuer", () => {
  let issuer: string;

  test("before the OIDC issuer is enabled: 404 everywhere, tokens carry the in-cluster issuer", async () => {
    const guess = `${sb.info.oidcBase}/${sb.info.tenantId}/${randomUUID()}`;
    expect((await get(`${guess}/.well-known/openid-configuration`)).status).toBe(404);
    expect(sb.sandbox.ctx.clusterIssuer.currentIssuer()).toBe("https://kubernetes.default.svc.cluster.local");
  });

  test("once enabled: AKS's discovery document, issuer verbatim with its trailing slash", async () => {
    issuer = `${sb.info.oidcBase}/${sb.info.tenantId}/${randomUUID()}/`;
    sb.sandbox.world.cluster().body.properties.oidcIssuerProfile = { enabled: true, issuerURL: issuer };
    sb.sandbox.world.save();
    expect(sb.sandbox.ctx.clusterIssuer.currentIssuer()).toBe(issuer);
    const r = await get(`${issuer}.well-known/openid-configuration`);
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    expect(r.body).toEqual({
      issuer,
      jwks_uri: `${issuer}openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["RS256"],
    });
  });

  test("other paths on the issuer host, and other tenants/GUIDs, are 404", async () => {
    expect((await get(`${issuer}openid/v1/other`)).status).toBe(404);
    expect((await get(`${sb.info.oidcBase}/${sb.info.tenantId}/${randomUUID()}/.well-known/openid-configuration`)).status).toBe(404);
    expect((await get(`${sb.info.oidcBase}/`)).status).toBe(404);
  });

  test("service-account tokens verify against the served JWKS and carry kube-apiserver's claims", async () => {
    const jwks = (await get(`${issuer}openid/v1/jwks`)).body;
    expect(jwks.keys[0]).toMatchObject({ use: "sig", kty: "RSA", alg: "RS256", e: "AQAB" });
    const saUid = randomUUID(),
      podUid = randomUUID();
    const token = await sb.sandbox.ctx.clusterIssuer.mintServiceAccountToken({
      namespace: "apps",
      serviceAccount: "reader",
      serviceAccountUid: saUid,
      audiences: ["api://AzureADTokenExchange"],
      expirationSeconds: 3600,
      pod: { name: "reader-pod", uid: podUid },
    });
    const header = decodeProtectedHeader(token);
    expect(header).toEqual({ alg: "RS256", kid: jwks.keys[0].kid });
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer, audience: "api://AzureADTokenExchange" });
    expect(payload.sub).toBe("system:serviceaccount:apps:reader");
    expect(payload.aud).toEqual(["api://AzureADTokenExchange"]);
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);
    expect(typeof payload.jti).toBe("string");
    expect(payload["kubernetes.io"]).toEqual({
      namespace: "apps",
      serviceaccount: { name: "reader", uid: saUid },
      pod: { name: "reader-pod", uid: podUid },
    });
  });

  test("the signing key persists in DIR (0600): a second issuer over the same DIR publishes the same key", async () => {
    const again = await createClusterIssuer(sb.dir, sb.sandbox.world);
    expect(await again.jwks()).toEqual(await sb.sandbox.ctx.clusterIssuer.jwks());
    const { statSync, readdirSync } = await import("node:fs");
    const file = readdirSync(sb.dir).find((f) => f.startsWith("cluster-sa-signing-key"));
    expect(file).toBeDefined();
    expect(statSync(`${sb.dir}/${file}`).mode & 0o777).toBe(0o600);
  });
});
