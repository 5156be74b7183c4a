// Turns findings into the human report (PASS/WARN/FAIL lines with expected, actual and the fix)
// and into the stable JSON document described in docs/verify-json.md.
import { CHECK_ORDER, CHECK_TITLES, type Facts, type Finding, type Status } from "./types.js";
import { checkStatus, worst } from "./checks.js";

export interface VerifyReport {
  version: 1;
  /** fail: a finding is FAIL; unknown: none is, but a check could not be made (transient). */
  result: "pass" | "fail" | "unknown" | "incomplete";
  /** Why the pod checked was chosen, when none was named. */
  podChosen?: string;
  /** Why no pod was checked (result "incomplete"). */
  noPod?: string;
  exitCode: number;
  target: Facts["target"] & { pod?: string };
  checks: { name: string; title: string; status: Status; findings: Finding[] }[];
  /** Claims only; never a token. */
  claims: { federatedToken?: Record<string, unknown>; armToken?: Record<string, unknown> };
  azLogin?: string;
  durationMs: number;
}

/** The `az login` line a person could run inside the pod (the token is read there, never shown). */
export function azLoginLine(facts: Facts): string | undefined {
  const id = facts.identity;
  const tenant = id?.tenantId || facts.exchange?.claims?.tid;
  if (!id?.clientId || !tenant) return undefined;
  return `az login --service-principal -u ${id.clientId} -t ${tenant} --federated-token "$(cat $AZURE_FEDERATED_TOKEN_FILE)"`;
}

/** The verdict over all findings: any FAIL fails; otherwise any UNKNOWN leaves it unknown; and
 *  checks that passed without any pod to look inside prove only half the chain: incomplete. */
export function verdict(findings: Finding[], facts?: Pick<Facts, "noPod">): VerifyReport["result"] {
  const w = worst(findings);
  return w === "FAIL" ? "fail" : w === "UNKNOWN" ? "unknown" : facts?.noPod ? "incomplete" : "pass";
}

export function buildVerifyReport(facts: Facts, findings: Finding[], durationMs: number, exitCode: number): VerifyReport {
  return {
    version: 1,
    result: verdict(findings, facts),
    exitCode,
    target: { ...facts.target, pod: facts.pod?.name ?? facts.target.pod },
    ...(facts.podChosen ? { podChosen: facts.podChosen } : {}),
    ...(facts.noPod ? { noPod: facts.noPod } : {}),
    checks: CHECK_ORDER.map((name) => ({
      name,
      title: CHECK_TITLES[name],
      status: checkStatus(findings, name),
      findings: findings.filter((f) => f.check === name),
    })),
    claims: {
      federatedToken: facts.token?.claims ? { ...facts.token.claims } : undefined,
      armToken: facts.exchange?.claims ? { ...facts.exchange.claims } : undefined,
    },
    azLogin: azLoginLine(facts),
    durationMs,
  };
}

type Paint = (s: Status, text: string) => string;

export function formatReport(report: VerifyReport, paint: Paint = (_s, t) => t): string[] {
  const t = report.target;
  const lines = [
    `Verifying workload identity for ${t.namespace}/${t.serviceAccount} on cluster ${t.cluster}${t.pod ? ` (pod ${t.pod}${report.podChosen ? `: ${report.podChosen}` : ""})` : ""}`,
  ];
  // The status column is as wide as its widest word: 4 unless an UNKNOWN is among them.
  const width = Math.max(4, ...report.checks.flatMap((c) => c.findings.map((f) => f.status.length)));
  const indent = " ".repeat(width + 37);
  for (const c of report.checks) {
    for (const f of c.findings) {
      lines.push(`${paint(f.status, f.status.padEnd(width))}  ${c.title.padEnd(34)} ${f.message}`);
      if (f.expected !== undefined) lines.push(`${indent}expected: ${f.expected}`);
      if (f.actual !== undefined) lines.push(`${indent}actual:   ${f.actual}`);
      if (f.fix !== undefined && f.status !== "PASS") lines.push(`${indent}fix:      ${f.fix}`);
    }
  }
  const counts = (s: Status) => report.checks.flatMap((c) => c.findings).filter((f) => f.status === s).length;
  lines.push("");
  const secs = `${(report.durationMs / 1000).toFixed(1)} s`;
  // Skipped links are not proven: say so rather than "all passed".
  lines.push(
    report.result === "fail"
      ? `${counts("FAIL")} check finding(s) failed; fix the first one first: later links depend on it.`
      : report.result === "unknown"
        ? `${counts("UNKNOWN")} check(s) could not be made: a service answered only with transient errors through every retry. Nothing broken was found; re-run aks-wi verify.`
        : report.result === "incomplete"
          ? `The checks that ran passed (${counts("WARN")} warning(s)) in ${secs}, but ${report.noPod}: nothing past the service account is proven. Start the workload (or init's test pod) and verify again, or name a pod with --pod or --deployment.`
          : counts("SKIP") === 0
            ? `All checks passed (${counts("WARN")} warning(s)) in ${secs}.`
            : `The checks that ran passed (${counts("WARN")} warning(s)) in ${secs}, but ${counts("SKIP")} were skipped and prove nothing: name a pod (--pod or --deployment) to check the chain from inside it.`,
  );
  if (report.azLogin) lines.push("To try it yourself inside the pod (the token never leaves it):", `  ${report.azLogin}`);
  return lines;
}
