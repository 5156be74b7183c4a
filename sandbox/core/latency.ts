// Latency profiles: `instant` for tests, `realistic[:FACTOR]` for demos — Azure's observed timings
// scaled by FACTOR (default 1), a round trip per request included. Individual timings can be
// overridden by tests, and the round trips by `--rtt` (env AKS_WI_SANDBOX_RTT).
import type { ServiceName } from "../info.js";
import type { LatencyOverrides, LatencyProfile } from "./types.js";

const SERVICES: ServiceName[] = ["arm", "login", "kube", "oidc", "graph"];

/** What one request costs on Azure before its answer arrives, per service, in ms. These are
 *  assumptions, not measurements: order-of-magnitude figures for a client in the cluster's region.
 *  - arm 120: ARM's front door plus the resource provider behind it; the low end of the
 *    100–400 ms per round trip that ARM calls take (issue 8's measurement notes).
 *  - login 80: Entra ID's token endpoint, one TLS request to a global front end.
 *  - kube 40: an AKS API server in the client's region, over a reused connection.
 *  - oidc 30: a static document from the issuer's storage front end.
 *  - graph 100: Microsoft Graph's global front end and the directory behind it, between ARM and
 *    Entra's token endpoint (an assumption of the same kind). */
const REALISTIC_RTT: Record<ServiceName, number> = { arm: 120, login: 80, kube: 40, oidc: 30, graph: 100 };

/** Azure's timings as documented/observed: a cluster update takes minutes; identity writes take
 *  seconds; new principals and federated credentials need time to replicate through Entra. */
const REALISTIC: Omit<LatencyProfile, "name" | "rttMs"> = {
  clusterUpdateMs: 240_000,
  // "registration can take a few minutes" (Azure's docs): a provider about one, a preview feature several
  providerRegistrationMs: 60_000,
  featureRegistrationMs: 300_000,
  identityWriteMs: 2_000,
  ficParentNotFoundMs: 10_000,
  principalReplicationMs: 60_000,
  roleAssignmentWriteMs: 1_500,
  ficPropagationMs: 15_000,
  // usually seconds, up to 10 min (AKS workload identity docs); seconds here, so demos stay short
  rolePropagationMs: 5_000,
  podStartMs: 8_000,
};

const INSTANT: Omit<LatencyProfile, "name" | "rttMs"> = {
  clusterUpdateMs: 0,
  providerRegistrationMs: 0,
  featureRegistrationMs: 0,
  identityWriteMs: 0,
  ficParentNotFoundMs: 0,
  principalReplicationMs: 0,
  roleAssignmentWriteMs: 0,
  ficPropagationMs: 0,
  rolePropagationMs: 0,
  podStartMs: 0,
};

export class LatencySpecError extends Error {}
export class RttSpecError extends Error {}

/** Parses an --rtt spec, `SERVICE=MS[,…]` with SERVICE one of arm, login, kube, oidc, graph or * (every
 *  one): round trips in ms, taken as given (not scaled), e.g. "arm=120,kube=40" or "*=0". */
export function parseRtt(spec: string | undefined): Partial<Record<ServiceName, number>> {
  const out: Partial<Record<ServiceName, number>> = {};
  for (const part of (spec ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(arm|login|kube|oidc|graph|\*)\s*=\s*([0-9]+(?:\.[0-9]+)?)$/.exec(part);
    if (!m) throw new RttSpecError(`bad round trip "${part}": expected SERVICE=MS with SERVICE one of arm, login, kube, oidc, graph, * (e.g. arm=120,kube=40)`);
    const ms = Math.round(Number(m[2]));
    if (ms > 60_000) throw new RttSpecError(`round trip "${part}" is over a minute: give milliseconds (e.g. arm=120)`);
    for (const s of m[1] === "*" ? SERVICES : [m[1] as ServiceName]) out[s] = ms;
  }
  return out;
}

/** Parses `instant`, `realistic` or `realistic:0.05`; `rtt` (an --rtt spec) replaces the round
 *  trips it names. */
export function parseLatency(spec: string | undefined, overrides: LatencyOverrides = {}, rtt?: string): LatencyProfile {
  const s = (spec ?? "instant").trim() || "instant";
  const m = /^(instant|realistic)(?::([0-9]*\.?[0-9]+))?$/.exec(s);
  if (!m) throw new LatencySpecError(`unknown latency profile "${s}": use instant, realistic or realistic:FACTOR (e.g. realistic:0.1)`);
  const factor = m[2] === undefined ? 1 : Number(m[2]);
  if (m[1] === "instant" && m[2] !== undefined) throw new LatencySpecError(`the instant profile takes no factor: use "instant"`);
  const realistic = m[1] === "realistic";
  const scale = (v: number) => Math.round(v * factor);
  const scaled = Object.fromEntries(Object.entries(realistic ? REALISTIC : INSTANT).map(([k, v]) => [k, scale(v)])) as Omit<LatencyProfile, "name" | "rttMs">;
  const rttMs = Object.fromEntries(SERVICES.map((n) => [n, realistic ? scale(REALISTIC_RTT[n]) : 0])) as Record<ServiceName, number>;
  const { rttMs: rttOverrides, ...timings } = overrides;
  return { name: s, ...scaled, ...timings, rttMs: { ...rttMs, ...(rttOverrides ?? {}), ...parseRtt(rtt) } };
}
