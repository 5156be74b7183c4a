// Fault injection: per service, from a seeded random source, so a failing run can be replayed.
// Spec (flag --faults or env AKS_WI_SANDBOX_FAULTS), comma-separated:
//   SERVICE.KIND=RATE[xMAX]   SERVICE: arm|login|kube|oidc|graph|*   KIND: 429|500|503|drop|slow
//   kube.exec.KIND=RATE[xMAX] the same, on the exec WebSocket upgrades only
//   seed=N  retry-after=SECONDS (for 429/503, default 1)  slow-ms=N (default 3000)
// e.g. "arm.429=0.3,arm.503=0.1,kube.drop=0.05,seed=42" or "arm.429=1x2" (the first two ARM calls).
// A WebSocket upgrade draws from the same plan as its service's HTTP requests (a `kube.503` rule
// can land on either); a `kube.exec.` rule lands on upgrades alone.
import type { ServiceName } from "../info.js";

export type FaultKind = "429" | "500" | "503" | "drop" | "slow";
const KINDS: FaultKind[] = ["429", "500", "503", "drop", "slow"];
const SERVICES: ServiceName[] = ["arm", "login", "kube", "oidc", "graph"];

/** What a request is: a plain HTTP request, or a WebSocket upgrade (exec). */
export type FaultChannel = "http" | "exec";

interface Rule {
  service: ServiceName;
  /** Only on this channel (`kube.exec.KIND`); any when unset. */
  channel?: "exec";
  kind: FaultKind;
  rate: number;
  max: number;
  used: number;
  /** This rule's own random stream (see parseFaults). */
  rand: () => number;
}

export interface FaultPlan {
  spec: string;
  retryAfterSeconds: number;
  slowMs: number;
  /** Decides, for one request to `service` (an HTTP request unless `channel` says otherwise),
   *  which fault (if any) to inject. */
  next(service: ServiceName, channel?: FaultChannel): FaultKind | undefined;
  /** How many faults were injected, by "service.kind" (and "kube.exec.kind" for exec-only rules). */
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

/** MurmurHash3's finalizer: spreads nearby seeds (seed, rule index) over unrelated streams. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
    const m = /^(arm|login|kube|oidc|graph|\*)\.(?:(exec)\.)?(429|500|503|drop|slow)$/.exec(k);
    if (!m || (m[2] && m[1] !== "kube"))
      throw new FaultSpecError(
        `bad fault "${k}": SERVICE is one of arm, login, kube, oidc, graph, * (or kube.exec for the exec upgrades) and KIND one of ${KINDS.join(", ")}`,
      );
    const r = /^([0-9]*\.?[0-9]+)(?:x([0-9]+))?$/.exec(v);
    const rate = r ? Number(r[1]) : NaN;
    if (!r || !(rate >= 0 && rate <= 1)) throw new FaultSpecError(`bad rate "${v}" for ${k}: expected a number from 0 to 1, optionally xMAX (e.g. 0.2 or 1x2)`);
    const max = r[2] === undefined ? Infinity : Number(r[2]);
    const channel = m[2] ? ("exec" as const) : undefined;
    for (const service of m[1] === "*" ? SERVICES : [m[1] as ServiceName])
      rules.push({ service, channel, kind: m[3] as FaultKind, rate, max, used: 0, rand: () => 0 });
  }
  // Each rule draws from its own stream (the seed mixed with the rule's place in the spec), so
  // where one service's faults land depends only on the order of that service's own requests:
  // not on how its requests interleave with another service's (which timing decides), nor on a
  // rule added for another service or channel.
  rules.forEach((rule, i) => (rule.rand = prng(fmix32(fmix32(seed) + Math.imul(i + 1, 0x9e3779b9)))));
  return {
    spec: text,
    retryAfterSeconds,
    slowMs,
    next(service, channel = "http") {
      for (const rule of rules) {
        if (rule.service !== service || rule.used >= rule.max) continue;
        if (rule.channel && rule.channel !== channel) continue;
        if (rule.rand() < rule.rate) {
          rule.used += 1;
          return rule.kind;
        }
      }
      return undefined;
    },
    injected() {
      const out: Record<string, number> = {};
      for (const r of rules) {
        const key = `${r.service}.${r.channel ? `${r.channel}.` : ""}${r.kind}`;
        if (r.used) out[key] = (out[key] ?? 0) + r.used;
      }
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
