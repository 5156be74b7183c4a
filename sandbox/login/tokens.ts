// Entra's token signing: one RSA key per sandbox DIR (made on first start, kept 0600), used to mint
// v1 access tokens and to verify the bearer tokens ARM and the cluster receive.
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import { SignJWT, exportJWK, jwtVerify, decodeJwt, errors as joseErrors } from "jose";
import type { AccessTokenClaims, TokenCheck, TokenService } from "../core/types.js";
import type { World } from "../core/world.js";
import { loadOrCreateSigningKey } from "../core/signing-key.js";

/** Entra key IDs look like base64url thumbprints; a hash of the key gives a stable one. */
const entraKeyId = (privatePem: string) => createHash("sha256").update(privatePem).digest("base64url").slice(0, 27);

export async function createTokenService(dir: string, world: World): Promise<TokenService> {
  const key = await loadOrCreateSigningKey(join(dir, "entra-signing-key.json"), entraKeyId);
  const issuer = (tenantId: string) => `https://sts.windows.net/${tenantId}/`;
  const knownTenants = () => new Set([world.state.tenantId, world.state.foreignTenantId].map((t) => t.toLowerCase()));

  return {
    issuer,
    async jwks() {
      const jwk = await exportJWK(key.publicKey);
      return { keys: [{ kty: "RSA", use: "sig", kid: key.kid, n: jwk.n, e: jwk.e, alg: "RS256" }] };
    },
    async mintAccessToken(p) {
      const now = Math.floor(Date.now() / 1000);
      const lifetime = p.lifetimeSeconds ?? 3600;
      // The v1 access-token claims ARM relies on (tid, oid, appid, idtyp) — see Entra's
      // access-token claims reference.
      return new SignJWT({
        tid: p.tenantId,
        oid: p.principalId,
        appid: p.clientId,
        azp: p.clientId,
        appidacr: "2",
        idtyp: "app",
        ver: "1.0",
        uti: randomUUID().replace(/-/g, ""),
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: key.kid, x5t: key.kid })
        .setIssuer(issuer(p.tenantId))
        .setAudience(p.audience)
        .setSubject(p.principalId)
        .setIssuedAt(now)
        .setNotBefore(now - 300)
        .setExpirationTime(now + lifetime)
        .sign(key.privateKey);
    },
    async verifyBearer(authorization, audiences, tenantId): Promise<TokenCheck> {
      if (!authorization) return { ok: false, reason: "missing", message: "Authentication failed. The 'Authorization' header is missing." };
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization.trim());
      if (!m) return { ok: false, reason: "malformed", message: "Authentication failed. The 'Authorization' header is provided in an invalid format." };
      let unverified: Record<string, unknown>;
      try {
        unverified = decodeJwt(m[1]);
      } catch {
        return { ok: false, reason: "malformed", message: "The access token is invalid." };
      }
      try {
        const { payload } = await jwtVerify(m[1], key.publicKey, { algorithms: ["RS256"], clockTolerance: 300 });
        const claims = payload as unknown as AccessTokenClaims;
        const aud = String(claims.aud);
        // ARM accepts its audience with or without the trailing slash (both are registered identifier URIs).
        const norm = (a: string) => a.toLowerCase().replace(/\/+$/, "");
        if (!audiences.some((a) => norm(a) === norm(aud))) {
          return {
            ok: false,
            reason: "audience",
            message: `The access token has been obtained for wrong audience or resource '${aud}'. It should exactly match with one of the allowed audiences '${audiences.join("','")}'.`,
          };
        }
        const tid = String(claims.tid ?? "").toLowerCase();
        if (!knownTenants().has(tid) || (tenantId && tid !== tenantId.toLowerCase())) {
          return {
            ok: false,
            reason: "tenant",
            message: `The access token is from the wrong issuer '${issuer(String(claims.tid))}'. It must match the tenant '${issuer(tenantId ?? world.state.tenantId)}' associated with this subscription. Please use the authority (URL) '${issuer(tenantId ?? world.state.tenantId)}' to get the token.`,
          };
        }
        return { ok: true, claims };
      } catch (e) {
        if (e instanceof joseErrors.JWTExpired) return { ok: false, reason: "expired", message: `The token is expired. exp: ${String(unverified.exp)}` };
        return { ok: false, reason: "signature", message: "The access token signature is invalid." };
      }
    },
  };
}
