// The federated token exchange a pod's Azure SDK performs: a client-credentials request at Entra's
// token endpoint with the projected service-account token as the client assertion. Only the
// access token's claims leave this module's callers; the token itself is handed to the ARM probes
// in access.ts and then dropped.
import { request } from "node:https";
import { decodeJwt } from "jose";
import type { CloudProfile } from "./cloud.js";
import type { ExchangeAttempt } from "../verify/ports.js";

export interface HttpAnswer {
  status: number;
  json: unknown;
}

/** One HTTPS request with the profile's CA; the body is parsed as JSON when it is JSON. */
export function httpsJson(url: string, o: { method: string; headers?: Record<string, string>; body?: string; ca?: string; timeoutMs?: number }): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: o.method, headers: o.headers, ca: o.ca, timeout: o.timeoutMs ?? 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown = text;
        try { json = JSON.parse(text); } catch { /* not JSON: keep the text */ }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${o.timeoutMs ?? 30_000} ms: ${o.method} ${new URL(url).origin}`)));
    req.on("error", reject);
    if (o.body) req.write(o.body);
    req.end();
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
export async function requestArmToken(
  profile: Pick<CloudProfile, "authorityHost" | "armScope" | "caPem">,
  p: { tenantId: string; clientId: string; assertion: string },
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
    res = await httpsJson(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" }, body, ca: profile.caPem });
  } catch (e) {
    return { attempt: { ok: false, error: "network", errorDescription: `Entra's token endpoint could not be reached: ${(e as Error).message}` } };
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
  return {
    attempt: {
      ok: false,
      aadsts: aadstsCode(json),
      error: typeof json?.error === "string" ? json.error : `HTTP ${res.status}`,
      errorDescription: typeof json?.error_description === "string" ? json.error_description : typeof res.json === "string" ? res.json.slice(0, 200) : undefined,
    },
  };
}
