// Turns doctor's findings into the human report (the cluster's lines, then one line per workload
// with each failing finding's fix under it) and the versioned JSON document (`version` changes
// only when a field changes meaning or goes away).
import { CLIENT_ID_ANNOTATION, USE_LABEL } from "../core/workload-identity.js";
import { verdict } from "../verify/render.js";
import type { Finding, Status } from "../verify/types.js";
import type { ClusterTarget, DoctorReport, WorkloadReport } from "./types.js";

export function buildDoctorReport(p: {
  target: ClusterTarget;
  namespace?: string;
  exchange: boolean;
  clusterFindings: Finding[];
  workloads: WorkloadReport[];
  durationMs: number;
  exitCode: number;
}): DoctorReport {
  const count = (s: Status) => p.workloads.filter((w) => w.status === s).length;
  return {
    version: 1,
    result: doctorVerdict(p.clusterFindings, p.workloads),
    exitCode: p.exitCode,
    cluster: p.target,
    namespace: p.namespace ?? null,
    exchange: p.exchange,
    clusterFindings: p.clusterFindings,
    workloads: p.workloads,
    summary: { workloads: p.workloads.length, pass: count("PASS") + count("SKIP"), warn: count("WARN"), fail: count("FAIL"), unknown: count("UNKNOWN") },
    durationMs: p.durationMs,
  };
}

/** Any FAIL fails; otherwise any UNKNOWN leaves it unknown (verify's rule, over every finding). */
export function doctorVerdict(cluster: Finding[], workloads: WorkloadReport[]): DoctorReport["result"] {
  // Without facts, verify's verdict is never "incomplete": doctor judges the workloads it finds.
  return verdict([...cluster, ...workloads.flatMap((w) => w.findings)]) as DoctorReport["result"];
}

type Paint = (s: Status, text: string) => string;

const label = (w: WorkloadReport) => `${w.namespace}/${w.serviceAccount}${w.kind === "serviceaccount" ? "" : ` ${w.kind}/${w.name}`}`;

export function formatDoctorReport(r: DoctorReport, paint: Paint = (_s, t) => t): string[] {
  const lines = [
    `Doctor: ${r.workloads.length} workload(s) using workload identity ${r.namespace ? `in namespace ${r.namespace}` : "in all namespaces"} of cluster ${r.cluster.cluster}${r.exchange ? " (tokens exchanged)" : ""}`,
  ];
  const all = [...r.clusterFindings, ...r.workloads.flatMap((w) => w.findings)];
  const width = Math.max(4, ...all.map((f) => f.status.length));
  const pad = " ".repeat(width + 2);
  const problems = (fs: Finding[]) => fs.filter((f) => f.status !== "PASS" && f.status !== "SKIP");
  for (const f of r.clusterFindings) {
    lines.push(`${paint(f.status, f.status.padEnd(width))}  cluster: ${f.message}`);
    if (f.fix && f.status !== "PASS") lines.push(`${pad}fix: ${f.fix}`);
  }
  const nameWidth = Math.min(60, Math.max(0, ...r.workloads.map((w) => label(w).length)));
  for (const w of r.workloads) {
    const bad = problems(w.findings);
    const first = bad[0];
    const summary = first
      ? `${first.message}${bad.length > 1 ? ` (+${bad.length - 1} more)` : ""}`
      : `ok${w.identity ? `: identity ${w.identity.name}` : ""}${w.pod ? `, pod ${w.pod}` : ""}`;
    lines.push(`${paint(w.status, w.status.padEnd(width))}  ${label(w).padEnd(nameWidth)}  ${summary}`);
    // A fix already shown (one restart cures two findings) is not repeated.
    const shown = new Set<string>();
    for (const [i, f] of bad.entries()) {
      if (i > 0) lines.push(`${pad}${f.status}: ${f.message}`);
      if (f.fix && !shown.has(f.fix)) lines.push(`${pad}fix: ${f.fix}`);
      if (f.fix) shown.add(f.fix);
    }
  }
  const s = r.summary;
  const clusterFails = r.clusterFindings.some((f) => f.status === "FAIL");
  lines.push("");
  lines.push(
    r.result === "fail"
      ? clusterFails
        ? `The cluster has a problem (above): fix it first, every workload depends on it; ${s.fail} of ${s.workloads} workload(s) fail.`
        : `${s.fail} of ${s.workloads} workload(s) fail; ${s.warn} warn.`
      : r.result === "unknown"
        ? `Nothing broken was found, but ${s.unknown} workload(s) or the cluster could not be checked (a service answered only with transient errors); re-run aks-wi doctor.`
        : s.workloads === 0
          ? `No workload ${r.namespace ? `in namespace ${r.namespace} ` : ""}uses workload identity (no service account with the ${CLIENT_ID_ANNOTATION} annotation, no pod with the ${USE_LABEL} label); the cluster's checks passed.`
          : `All ${s.workloads} workload(s) healthy (${s.warn} with warnings) in ${(r.durationMs / 1000).toFixed(1)} s.${r.exchange ? "" : " Tokens were not exchanged: add --exchange to prove each running pod's exchange with Entra."}`,
  );
  return lines;
}
