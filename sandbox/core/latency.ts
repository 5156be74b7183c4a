// Latency profiles: `instant` for tests, `realistic[:FACTOR]` for demos — Azure's observed timings
// scaled by FACTOR (default 1). Individual timings can be overridden by tests.
import type { LatencyProfile } from "./types.js";

/** Azure's timings as documented/observed: a cluster update takes minutes; identity writes take
 *  seconds; new principals and federated credentials need time to replicate through Entra. */
const REALISTIC: Omit<LatencyProfile, "name"> = {
  clusterUpdateMs: 240_000,
  // "registration can take a few minutes" (Azure's docs): a provider about one, a preview feature several
  providerRegistrationMs: 60_000,
  featureRegistrationMs: 300_000,
  identityWriteMs: 2_000,
  ficParentNotFoundMs: 10_000,
  principalReplicationMs: 60_000,
  roleAssignmentWriteMs: 1_500,
  ficPropagationMs: 15_000,
  podStartMs: 8_000,
};

const INSTANT: Omit<LatencyProfile, "name"> = {
  clusterUpdateMs: 0,
  providerRegistrationMs: 0,
  featureRegistrationMs: 0,
  identityWriteMs: 0,
  ficParentNotFoundMs: 0,
  principalReplicationMs: 0,
  roleAssignmentWriteMs: 0,
  ficPropagationMs: 0,
  podStartMs: 0,
};

export class LatencySpecError extends Error {}

/** Parses `instant`, `realistic` or `realistic:0.05`. */
export function parseLatency(spec: string | undefined, overrides: Partial<LatencyProfile> = {}): LatencyProfile {
  const s = (spec ?? "instant").trim() || "instant";
  const m = /^(instant|realistic)(?::([0-9]*\.?[0-9]+))?$/.exec(s);
  if (!m) throw new LatencySpecError(`unknown latency profile "${s}": use instant, realistic or realistic:FACTOR (e.g. realistic:0.1)`);
  const factor = m[2] === undefined ? 1 : Number(m[2]);
  if (m[1] === "instant" && m[2] !== undefined) throw new LatencySpecError(`the instant profile takes no factor: use "instant"`);
  const base = m[1] === "instant" ? INSTANT : REALISTIC;
  const scaled = Object.fromEntries(Object.entries(base).map(([k, v]) => [k, Math.round(v * factor)])) as Omit<LatencyProfile, "name">;
  return { name: s, ...scaled, ...overrides };
}
