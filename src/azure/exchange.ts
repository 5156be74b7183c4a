// The federated token exchange a pod's Azure SDK performs: a client-credentials request at Entra's
// token endpoint with the projected service-account token as the client assertion. Only the
// access token's claims leave this module's callers; the token itself is handed to the ARM probes
// in access.ts and then dropped.
import type { IncomingHttpHeaders } from "node:http";
import { request } from "node:https";
import { decodeJwt } from "jose";
import { httpsAgentFor } from "../core/proxy.js";
import { entraTransient, networkTransient, statusTransient, withRetry, type RetryListener, type RetryPolicy, type Transient } from "../core/retry.js";
import type { CloudProfile } from "./cloud.js";
import type { ExchangeAttempt } from "../verify/ports.js";
import type { IssuerProbe } from "../verify/types.js";

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  json: unknown;
}

/** How the raw HTTPS calls retry: who hears about each retry, and policy overrides (tests). */
export interface RawRetryOptions {
  onRetry?: RetryListener;
  retryPolicy?: Partial<RetryPolicy>;
}

/** One HTTPS request with the profile's CA; the body is parsed as JSON when it is JSON. */
export function httpsJson(
  url: string,
  o: { method: string; headers?: Record<string, string>; body?: string; ca?: string; timeoutMs?: number },
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const timeoutMs = o.timeoutMs ?? 30_000;
    // HTTPS_PROXY / NO_PROXY as every other call of aks-wi reads them (src/core/proxy.ts).
    const agent = httpsAgentFor(url, o.ca);
    const req = request(url, { method: o.method, headers: o.headers, ca: o.ca, timeout: timeoutMs, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = text;
        try {
          json = JSON.parse(text);
        } catch {
          /* not JSON: keep the text */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
      });
      res.on("error", reject);
    });
    req.on("timeout", () =>
      req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms: ${o.method} ${new URL(url).origin}`), { code: "ETIMEDOUT" })),
    );
    req.on("error", reject);
    if (o.body) req.write(o.body);
    req.end();
  });
}

/** An HTTP answer worth repeating: 408, 429 or a 5xx (with its Retry-After). */
export const httpTransient = (r: HttpAnswer): Transient | undefined => statusTransient(r.status, r.headers["retry-after"]);

/** httpsJson under the retry policy: network failures and retryable statuses are repeated; the
 *  last answer is returned whatever it is (a network failure still there is thrown). */
export function httpsJsonRetried(
  service: string,
  what: string,
  url: string,
  o: Parameters<typeof httpsJson>[1],
  r: RawRetryOptions,
  transient: (a: HttpAnswer) => Transient | undefined = httpTransient,
): Promise<HttpAnswer> {
  return withRetry(() => httpsJson(url, o), {
    service,
    what,
    transientError: networkTransient,
    transientResult: transient,
    onRetry: r.onRetry,
    policy: r.retryPolicy,
  });
}

/** The AADSTS number of an Entra error answer: error_codes[0], else the prefix of error_description. */
export function aadstsCode(body: unknown): number | undefined {
  const b = body as { error_codes?: unknown; error_description?: unknown } | undefined;
  if (Array.isArray(b?.error_codes) && typeof b.error_codes[0] === "number") return b.error_codes[0];
  const m = typeof b?.error_description === "string" ? /AADSTS(\d+)/.exec(b.error_description) : null;
  return m ? Number(m[1]) : undefined;
}

export const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/** Asks Entra for an ARM token with the federated token as client assertion. Returns the
 *  attempt's claims and, separately, the token for the ARM probes (never to be printed). */
/** A token-endpoint answer worth repeating: a retryable status, or a transient AADSTS code. */
const entraAnswerTransient = (r: HttpAnswer): Transient | undefined => httpTransient(r) ?? entraTransient(aadstsCode(r.json));

/** The exchange rides on three calls in a row (Entra, then the issuer's discovery document and
 *  keys, which Entra fetches): it gets more, shorter-capped retries than a single call, so a blip
 *  on any of them is outlasted as surely as one on a single call (at most ~30 s in all). */
export const EXCHANGE_RETRY: Partial<RetryPolicy> = { retries: 10, maxDelayMs: 4_000 };

export async function requestArmToken(
  profile: Pick<CloudProfile, "authorityHost" | "armScope" | "caPem">,
  p: { tenantId: string; clientId: string; assertion: string },
  retry: RawRetryOptions = {},
): Promise<{ attempt: ExchangeAttempt; accessToken?: string }> {
  const url = `${profile.authorityHost.replace(/\/+$/, "")}/${encodeURIComponent(p.tenantId)}/oauth2/v2.0/token`;
  const body = new URLSearchParams({
    client_id: p.clientId,
    scope: profile.armScope,
    grant_type: "client_credentials",
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: p.assertion,
  }).toString();
  let res: HttpAnswer;
  try {
    // A token request changes nothing: safe to repeat.
    res = await httpsJsonRetried(
      "Entra token endpoint",
      "the federated token exchange",
      url,
      { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body, ca: profile.caPem },
      { ...retry, retryPolicy: { ...EXCHANGE_RETRY, ...retry.retryPolicy } },
      entraAnswerTransient,
    );
  } catch (e) {
    return {
      attempt: {
        ok: false,
        error: "network",
        errorDescription: `Entra's token endpoint could not be reached: ${(e as Error).message}`,
        transient: !!networkTransient(e),
      },
    };
  }
  const json = res.json as { access_token?: unknown; error?: unknown; error_description?: unknown };
  if (res.status === 200 && typeof json?.access_token === "string") {
    const c = decodeJwt(json.access_token);
    const str = (v: unknown) => (typeof v === "string" ? v : Array.isArray(v) ? String(v[0]) : undefined);
    return {
      attempt: { ok: true, claims: { aud: str(c.aud), iss: c.iss, tid: str(c.tid), oid: str(c.oid), appid: str(c.appid) ?? str(c.azp), exp: c.exp } },
      accessToken: json.access_token,
    };
  }
  const attempt: ExchangeAttempt = {
    ok: false,
    aadsts: aadstsCode(json),
    error: typeof json?.error === "string" ? json.error : `HTTP ${res.status}`,
    errorDescription: typeof json?.error_description === "string" ? json.error_description : typeof res.json === "string" ? res.json.slice(0, 200) : undefined,
  };
  if (entraAnswerTransient(res)) attempt.transient = true;
  return { attempt };
}

/** The issuer's discovery document and JWKS, fetched as Entra fetches them. */
export async function probeIssuer(issuer: string, caPem: string | undefined, retry: RawRetryOptions = {}): Promise<IssuerProbe> {
  const get = (what: string, url: string) =>
    httpsJsonRetried("OIDC issuer", what, url, { method: "GET", headers: { accept: "application/json" }, ca: caPem, timeoutMs: 10_000 }, retry);
  const discoveryUrl = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
  try {
    const d = await get("reading the issuer's discovery document", discoveryUrl);
    if (d.status !== 200) return { ok: false, error: `${discoveryUrl} answered HTTP ${d.status}`, transient: !!httpTransient(d) };
    const jwksUri = (d.json as { jwks_uri?: unknown })?.jwks_uri;
    if (typeof jwksUri !== "string") return { ok: false, error: `${discoveryUrl} names no jwks_uri` };
    const k = await get("reading the issuer's keys", jwksUri);
    if (k.status !== 200) return { ok: false, error: `${jwksUri} answered HTTP ${k.status}`, transient: !!httpTransient(k) };
    const keys = (k.json as { keys?: unknown })?.keys;
    if (!Array.isArray(keys) || keys.length === 0) return { ok: false, error: `${jwksUri} holds no keys` };
    return { ok: true, keys: keys.length };
  } catch (e) {
    return { ok: false, error: `${discoveryUrl} could not be reached: ${(e as Error).message}`, transient: !!networkTransient(e) };
  }
}
