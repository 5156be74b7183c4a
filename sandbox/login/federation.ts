// Workload identity federation: a client assertion (an external issuer's JWT) is exchanged for the
// identity whose federated credential names that issuer, subject and audience. As Entra: time
// range first, then the (case-sensitive) credential match — which decides whether the issuer is
// trusted at all, so an unmatched issuer is never fetched — then the issuer's discovery document
// and JWKS over HTTPS, then the signature.
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK } from "jose";
import type { ServiceContext } from "../core/types.js";
import type { FederatedCredentialRecord } from "../core/world.js";
import { key } from "../core/world.js";
import { fail, type EntraFailure } from "./errors.js";
import { fetchIssuerKeys } from "./issuer-fetch.js";

const WIF_DOC = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
const CHECK = "Check your federated identity credential Subject, Audience and Issuer against the presented assertion.";
/** Clock skew Entra tolerates on an assertion's nbf/exp (assumed: the usual five minutes). */
const SKEW_SECONDS = 300;

/** Entra's time format in 700024: seven fractional digits. */
const longTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");

/** Federated credentials of the identity with this client ID that Entra honours now: a written
 *  credential is invisible until the propagation delay has passed. */
export function honouredCredentials(ctx: ServiceContext, clientId: string): FederatedCredentialRecord[] {
  const s = ctx.world.state;
  const identity = Object.values(s.identities).find((i) => i.clientId.toLowerCase() === clientId.toLowerCase());
  if (!identity) return [];
  const now = ctx.now();
  return Object.values(s.federatedCredentials).filter((f) => f.identityKey === key(identity.id) && now >= f.updatedAt + ctx.latency.ficPropagationMs);
}

interface Presented {
  iss: string;
  sub: string;
  aud: string[];
}

/** Which AADSTS code a presented (issuer, subject, audience) earns against the credentials,
 *  reporting against the closest one: issuer first, then subject, then audience. */
export function matchCredential(fics: FederatedCredentialRecord[], p: Presented): EntraFailure | undefined {
  const audText = p.aud.join(",");
  if (fics.length === 0) {
    return fail(
      400,
      "invalid_request",
      70021,
      `No matching federated identity record found for presented assertion. Assertion Issuer: '${p.iss}'. Assertion Subject: '${p.sub}'. Assertion Audience: '${audText}'. ${WIF_DOC}`,
    );
  }
  const byIssuer = fics.filter((f) => f.issuer === p.iss);
  if (byIssuer.length === 0) {
    return fail(401, "invalid_client", 700211, `No matching federated identity record found for presented assertion issuer '${p.iss}'. ${CHECK} ${WIF_DOC}`);
  }
  const bySubject = byIssuer.filter((f) => f.subject === p.sub);
  if (bySubject.length === 0) {
    // Since matching became case-sensitive, Entra names a case-only difference with its own code.
    if (byIssuer.some((f) => f.subject.toLowerCase() === p.sub.toLowerCase())) {
      return fail(
        401,
        "invalid_client",
        7002138,
        `No matching federated identity record found for presented assertion subject '${p.sub}'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. ${CHECK} See documentation at: ${WIF_DOC}.`,
      );
    }
    return fail(401, "invalid_client", 700213, `No matching federated identity record found for presented assertion subject '${p.sub}'. ${CHECK} ${WIF_DOC}`);
  }
  if (!bySubject.some((f) => f.audiences.some((a) => p.aud.includes(a)))) {
    return fail(
      401,
      "invalid_client",
      700212,
      `No matching federated identity record found for presented assertion audience '${audText}'. ${CHECK} ${WIF_DOC}`,
    );
  }
  return undefined;
}

const malformed = () => fail(400, "invalid_request", 50027, "JWT token is invalid or malformed.");

/** Verifies a client assertion for clientId. Returns undefined when it is good. */
export async function verifyAssertion(ctx: ServiceContext, clientId: string, assertion: string): Promise<EntraFailure | undefined> {
  let claims: Record<string, unknown>;
  let header: { kid?: string; alg?: string };
  try {
    claims = decodeJwt(assertion);
    header = decodeProtectedHeader(assertion);
  } catch {
    return malformed();
  }
  const iss = claims.iss,
    sub = claims.sub;
  const aud = typeof claims.aud === "string" ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === "string") : [];
  if (typeof iss !== "string" || typeof sub !== "string" || aud.length === 0 || typeof claims.exp !== "number") return malformed();

  const nowS = ctx.now() / 1000;
  const nbf = typeof claims.nbf === "number" ? claims.nbf : 0;
  if (nowS > claims.exp + SKEW_SECONDS || nowS < nbf - SKEW_SECONDS) {
    return fail(
      401,
      "invalid_client",
      700024,
      `Client assertion is not within its valid time range. Current time: ${longTime(nowS)}, assertion valid from ${longTime(nbf)}, expiry time of assertion ${longTime(claims.exp)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
    );
  }

  const mismatch = matchCredential(honouredCredentials(ctx, clientId), { iss, sub, aud });
  if (mismatch) return mismatch;

  let jwks: { keys: JWK[] };
  try {
    jwks = await fetchIssuerKeys(iss, ctx.caPem);
  } catch {
    return fail(400, "invalid_request", 90061, "Request to External OIDC endpoint failed.");
  }
  const jwk = jwks.keys.find((k) => k && k.kid === header.kid && (k.kty === "RSA" || k.kty === "EC"));
  if (!header.kid || !jwk) {
    return fail(
      401,
      "invalid_client",
      7000272,
      `The certificate with identifier ${header.kid ?? ""} used to sign the federated credential could not be found in the metadata of identity provider ${iss}. Please validate that your Identity Provider's metadata exposes the key used to sign the incoming token.`,
    );
  }
  try {
    const alg = typeof header.alg === "string" ? header.alg : "RS256";
    await compactVerify(assertion, await importJWK(jwk, alg), { algorithms: ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"] });
  } catch {
    return fail(
      401,
      "invalid_client",
      50013,
      `Assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value., Thumbprint of key used by client: '${header.kid}']`,
    );
  }
  return undefined;
}
