// How Entra reaches an external OIDC issuer: HTTPS GET of its discovery document, then of its
// jwks_uri. The sandbox trusts its own CA (and the system roots), nothing else.
import { request } from "node:https";
import { rootCertificates } from "node:tls";
import type { JWK } from "jose";

const TIMEOUT_MS = 5_000;
const MAX_BYTES = 1024 * 1024;

export class IssuerFetchError extends Error {}

export function getJson(url: string, caPem: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return reject(new IssuerFetchError(`not a URL: ${url}`));
    }
    if (u.protocol !== "https:") return reject(new IssuerFetchError(`not https: ${url}`));
    const req = request(
      u,
      { method: "GET", ca: [...rootCertificates, caPem], headers: { accept: "application/json" }, timeout: TIMEOUT_MS, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (c: Buffer) => {
          size += c.length;
          if (size > MAX_BYTES) req.destroy(new IssuerFetchError("response too large"));
          else chunks.push(c);
        });
        res.on("end", () => {
          if (res.statusCode !== 200) return reject(new IssuerFetchError(`HTTP ${res.statusCode} from ${url}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
          } catch {
            reject(new IssuerFetchError(`invalid JSON from ${url}`));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new IssuerFetchError(`timeout fetching ${url}`)));
    req.on("error", (e) => reject(e instanceof IssuerFetchError ? e : new IssuerFetchError(e.message)));
    req.end();
  });
}

/** The issuer's signing keys, found through its discovery document. Any failure (unreachable,
 *  non-200, not JSON, no jwks_uri, no keys) is an IssuerFetchError. */
export async function fetchIssuerKeys(issuer: string, caPem: string): Promise<{ keys: JWK[] }> {
  const discovery = (await getJson(`${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`, caPem)) as { jwks_uri?: unknown } | null;
  if (!discovery || typeof discovery.jwks_uri !== "string") throw new IssuerFetchError("discovery document has no jwks_uri");
  const jwks = (await getJson(discovery.jwks_uri, caPem)) as { keys?: unknown } | null;
  if (!jwks || !Array.isArray(jwks.keys)) throw new IssuerFetchError("JWKS has no keys");
  return jwks as { keys: JWK[] };
}
