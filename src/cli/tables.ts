// The rows of `-o table` for each command's document: what a person scanning a terminal wants in
// columns (az's `-o table` shows a result's scalar fields; here each command picks its own).
import type { VerifyReport } from "../verify/render.js";
import type { StatusReport } from "../init/status.js";
import type { DoctorReport } from "../doctor/types.js";
import type { Row } from "./output.js";

/** A check per row; the detail is the finding that set its status. */
export function verifyRows(r: VerifyReport): Row[] {
  return r.checks.map((c) => ({
    Check: c.title,
    Status: c.status,
    Detail: (c.findings.find((f) => f.status === c.status) ?? c.findings[0])?.message,
  }));
}

/** A binding per row for many (status -f, --all); a step per row for one. */
export function statusRows(r: StatusReport | { bindings: StatusReport[] }): Row[] {
  if ("bindings" in r)
    return r.bindings.map((b) => ({
      Binding: `${b.binding.namespace}/${b.binding.serviceAccount}`,
      Identity: b.binding.identity,
      State: b.inSync ? "in sync" : "drift",
      Drift: b.steps.flatMap((s) => s.drift).join("; "),
    }));
  return r.steps.map((s) => ({ Step: s.title, State: s.state, Drift: s.drift.join("; ") }));
}

interface StepsView {
  steps: { title: string; change: string; result?: string; summary: string }[];
}

/** What each step planned or did: init, and apply per binding. */
export function stepRows(r: StepsView | { bindings: (StepsView & { binding: string })[] }): Row[] {
  const row = (s: StepsView["steps"][number], binding?: string): Row => ({
    ...(binding ? { Binding: binding } : {}),
    Step: s.title,
    Result: s.result ?? s.change,
    Summary: s.summary,
  });
  if ("bindings" in r) return r.bindings.flatMap((b) => b.steps.map((s) => row(s, b.binding)));
  return r.steps.map((s) => row(s));
}

interface DeleteView {
  result: string;
  binding: { namespace: string; serviceAccount: string };
  deleted: string[];
  left: string[];
}

/** Per binding, each thing deleted and each thing left. */
export function deleteRows(r: DeleteView | { bindings: DeleteView[] }): Row[] {
  const rows = (d: DeleteView): Row[] => {
    const binding = `${d.binding.namespace}/${d.binding.serviceAccount}`;
    return [
      ...d.deleted.map((what) => ({ Binding: binding, Action: d.result === "planned" ? "would delete" : "deleted", What: what })),
      ...d.left.map((what) => ({ Binding: binding, Action: "left", What: what })),
    ];
  };
  return "bindings" in r ? r.bindings.flatMap(rows) : rows(r);
}

/** A workload per row, with its first problem (doctor lists the rest in text and json). */
export function doctorRows(r: DoctorReport): Row[] {
  return r.workloads.map((w) => {
    const worst = w.findings.find((f) => f.status === w.status);
    return {
      Workload: `${w.namespace}/${w.kind}/${w.name}`,
      ServiceAccount: w.serviceAccount,
      Identity: w.identity?.name,
      Status: w.status,
      Problem: w.status === "PASS" ? undefined : worst?.message,
    };
  });
}

/** A flat document (version, sandbox status) as one row of its scalar fields, as az shows an object. */
export function scalarRow(doc: Record<string, unknown>): Row[] {
  const row: Row = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === "version" || v === null || typeof v === "object") continue;
    row[k.charAt(0).toUpperCase() + k.slice(1)] = v as string | number | boolean;
  }
  return [row];
}
