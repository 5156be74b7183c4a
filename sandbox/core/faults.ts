// Fault injection: per service, from a seeded random source, so a failing run can be replayed.
// Spec (flag --faults or env AKS_WI_SANDBOX_FAULTS), comma-separated:
//   SERVICE.KIND=RATE[xMAX]   SERVICE: arm|login|kube|oidc|graph|*   KIND: 429|500|503|drop|slow
//   seed=N  retry-after=SECONDS (for 429/503, default 1)  slow-ms=N (default 3000)
// e.g. "arm.429=0.3,arm.503=0.1,kube.drop=0.05,seed=42" or "arm.429=1x2" (the first two ARM calls).
import type { ServiceName } from "../info.js";

export type FaultKind = "429" | "500" | "503" | "drop" | "slow";
const KINDS: FaultKind[] = ["429", "500", "503", "drop", "slow"];
const SERVICES: ServiceName[] = ["arm", "login", "kube", "oidc", "graph"];

interface Rule {
  service: ServiceName;
  kind: FaultKind;
  rate: number;
  max: number;
  used: number;
}

export interface FaultPlan {
  spec: string;
  retryAfterSeconds: number;
  slowMs: number;
  /** Decides, for one request to `service`, which fault (if any) to inject. */
  next(service: ServiceName): FaultKind | undefined;
  /** How many faults were injected, by "service.kind". */
  injected(): Record<string, number>;
}

export class FaultSpecError extends Error {}

/** A small seeded PRNG (mulberry32): deterministic sequences from a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseFaults(spec: string | undefined): FaultPlan {
  const text = (spec ?? "").trim();
  const rules: Rule[] = [];
  let seed = 1;
  let retryAfterSeconds = 1;
  let slowMs = 3000;
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [k, v] = part.split("=", 2).map((s) => s.trim());
    if (v === undefined) throw new FaultSpecError(`bad fault "${part}": expected SERVICE.KIND=RATE, e.g. arm.429=0.2`);
    if (k === "seed" || k === "retry-after" || k === "slow-ms") {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new FaultSpecError(`bad ${k} "${v}": expected a non-negative number`);
      if (k === "seed") seed = n;
      else if (k === "retry-after") retryAfterSeconds = n;
      else slowMs = n;
      continue;
    }
    const m = /^(arm|login|kube|oidc|graph|\*)\.(429|500|503|drop|slow)$/.exec(k);
    if (!m) throw new FaultSpecError(`bad fault "${k}": SERVICE is one of arm, login, kube, oidc, graph, * and KIND one of ${KINDS.join(", ")}`);
    const r = /^([0-9]*\.?[0-9]+)(?:x([0-9]+))?$/.exec(v);
    const rate = r ? Number(r[1]) : NaN;
    if (!r || !(rate >= 0 && rate <= 1)) throw new FaultSpecError(`bad rate "${v}" for ${k}: expected a number from 0 to 1, optionally xMAX (e.g. 0.2 or 1x2)`);
    const max = r[2] === undefined ? Infinity : Number(r[2]);
    for (const service of m[1] === "*" ? SERVICES : [m[1] as ServiceName]) rules.push({ service, kind: m[2] as FaultKind, rate, max, used: 0 });
  }
  const rand = prng(seed);
  return {
    spec: text,
    retryAfterSeconds,
    slowMs,
    next(service) {
      for (const rule of rules) {
        if (rule.service !== service || rule.used >= rule.max) continue;
        if (rand() < rule.rate) {
          rule.used += 1;
          return rule.kind;
        }
      }
      return undefined;
    },
    injected() {
      const out: Record<string, number> = {};
      for (const r of rules) if (r.used) out[`${r.service}.${r.kind}`] = (out[`${r.service}.${r.kind}`] ?? 0) + r.used;
      return out;
    },
  };
}

/** The error body each service would send for an injected status, in that service's own shape. */
export function faultResponse(
  service: ServiceName,
  kind: "429" | "500" | "503",
  retryAfterSeconds: number,
): { status: number; headers: Record<string, string>; body: unknown } {
  const status = Number(kind);
  const headers: Record<string, string> = status === 500 ? {} : { "retry-after": String(retryAfterSeconds) };
  const text =
    status === 429
      ? "Too many requests. Please retry after the interval in the Retry-After header."
      : status === 503
        ? "The service is temporarily unavailable. Please retry."
        : "The server encountered an internal error. Please retry the request.";
  if (service === "kube") {
    const reason = status === 429 ? "TooManyRequests" : status === 503 ? "ServiceUnavailable" : "InternalError";
    return { status, headers, body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: text, reason, code: status } };
  }
  if (service === "login") {
    const error = status === 429 ? "temporarily_unavailable" : status === 503 ? "temporarily_unavailable" : "server_error";
    return { status, headers, body: { error, error_description: `AADSTS90033: ${text}`, error_codes: [90033], timestamp: new Date().toISOString() } };
  }
  if (service === "graph") {
    // Graph's throttling and outage codes (its error shape is ARM's, with an innerError)
    const code = status === 429 ? "TooManyRequests" : status === 503 ? "serviceNotAvailable" : "generalException";
    return { status, headers, body: { error: { code, message: text, innerError: { date: new Date().toISOString().replace(/\.\d+Z$/, "") } } } };
  }
  const code = status === 429 ? "TooManyRequests" : status === 503 ? "ServiceUnavailable" : "InternalServerError";
  return { status, headers, body: { error: { code, message: text } } };
}
