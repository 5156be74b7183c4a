// `aks-wi status`: the plan of one binding read as a report of desired against live. A step whose
// plan changes nothing is in sync; any other names its drift field by field. Built from the same
// plan `init` would apply, so what status calls drift is exactly what `init` repairs.
import type { Step, StepPlan } from "./step.js";
import type { InitInputs } from "./state.js";

export const STATUS_REPORT_VERSION = 1;

export interface StatusReport {
  version: typeof STATUS_REPORT_VERSION;
  binding: { namespace: string; serviceAccount: string; identity: string; identityResourceGroup: string };
  cluster: { subscription: string; resourceGroup: string; name: string };
  inSync: boolean;
  steps: { name: string; title: string; state: "in sync" | "drift"; drift: string[] }[];
}

/** Which binding on which cluster a report is about: the heading of status's and delete's documents. */
export function whichBinding(
  inputs: Pick<InitInputs, "namespace" | "serviceAccount" | "identity" | "identityResourceGroup" | "subscription" | "resourceGroup" | "cluster">,
) {
  return {
    binding: {
      namespace: inputs.namespace,
      serviceAccount: inputs.serviceAccount,
      identity: inputs.identity,
      identityResourceGroup: inputs.identityResourceGroup,
    },
    cluster: { subscription: inputs.subscription, resourceGroup: inputs.resourceGroup, name: inputs.cluster },
  };
}

export function buildStatus(steps: readonly Step[], plans: StepPlan[], inputs: InitInputs): StatusReport {
  const rows = plans.map((p, i) => {
    const drifted = p.change !== "none";
    return {
      name: p.step,
      title: steps[i]!.title,
      state: drifted ? ("drift" as const) : ("in sync" as const),
      drift: drifted ? (p.drift?.length ? p.drift : [p.summary]) : [],
    };
  });
  return {
    version: STATUS_REPORT_VERSION,
    ...whichBinding(inputs),
    inSync: rows.every((r) => r.state === "in sync"),
    steps: rows,
  };
}

/** The text form: one line per step, drift indented under it, then the verdict and (unless `fix`
 *  is false: the caller says how to repair several bindings at once) its fix. */
export function formatStatus(r: StatusReport, o: { fix?: boolean } = {}): string[] {
  const width = Math.max(...r.steps.map((s) => s.title.length));
  const lines = [`Workload identity of ${r.binding.namespace}/${r.binding.serviceAccount} on cluster ${r.cluster.name}:`];
  for (const s of r.steps) {
    lines.push(`  ${s.title.padEnd(width)}  ${s.state}`);
    for (const d of s.drift) lines.push(`  ${" ".repeat(width)}    - ${d}`);
  }
  if (o.fix === false) {
    lines.push(r.inSync ? "  In sync." : `  Drift in ${r.steps.filter((s) => s.state === "drift").length} of ${r.steps.length} steps.`);
    return lines;
  }
  lines.push(
    r.inSync
      ? "In sync."
      : `Drift in ${r.steps.filter((s) => s.state === "drift").length} of ${r.steps.length} steps: \`aks-wi init\` with the same inputs repairs it (--dry-run shows how).`,
  );
  return lines;
}
