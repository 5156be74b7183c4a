// What `aks-wi init` tells the user at the end: what was created or reused, and exactly what to
// put in a Deployment (serviceAccountName and the pod-template label). `--output json` gives the
// same as one JSON document on stdout. Never a token or secret (the state holds none).
import { savedInputs, type InitInputs, type InitOutputs, type SavedInputs } from "./state.js";
import type { StepName } from "./step.js";
import { USE_LABEL } from "../core/workload-identity.js";
import type { OperationView, RunResult, StepOutcome } from "./runner.js";

export interface InitReport {
  status: "done" | "planned";
  cloud: string;
  statePath?: string;
  inputs: SavedInputs;
  steps: { name: StepName; title: string; change: string; result?: string; summary: string }[];
  /** The plan's operations, exactly what the apply runs (or would run, for a dry run). */
  operations: OperationView[];
  outputs: InitOutputs;
  deployment: {
    namespace: string;
    serviceAccountName: string;
    podTemplateLabels: Record<string, string>;
    clientId?: string;
  };
}

export function buildInitReport(args: { result: RunResult; inputs: InitInputs; outputs: InitOutputs; cloud: string; statePath?: string }): InitReport {
  return {
    status: args.result.applied ? "done" : "planned",
    cloud: args.cloud,
    statePath: args.statePath,
    inputs: savedInputs(args.inputs),
    steps: args.result.outcomes.map((o: StepOutcome) => ({ name: o.step, title: o.title, change: o.change, result: o.result, summary: o.summary })),
    operations: args.result.operations,
    outputs: args.outputs,
    deployment: {
      namespace: args.inputs.namespace,
      serviceAccountName: args.inputs.serviceAccount,
      podTemplateLabels: { [USE_LABEL]: "true" },
      clientId: args.outputs.identity?.clientId,
    },
  };
}

const verb = (o: StepOutcome) => (o.result === "created" ? "created" : o.result === "updated" ? "updated" : "reused");

/** The human summary printed after a successful apply. */
export function formatSummary(r: InitReport, outcomes: StepOutcome[]): string[] {
  const o = r.outputs;
  const by = (name: StepName) => outcomes.find((x) => x.step === name);
  const lines: string[] = ["", "Workload identity is set up."];
  const changed = outcomes.filter((x) => x.result && x.result !== "no change" && x.result !== "read").length;
  lines.push(changed === 0 ? "Nothing changed: every step was already done." : `${changed} step(s) made changes.`);
  if (o.issuerUrl) lines.push(`  cluster         ${r.inputs.cluster}: OIDC issuer ${o.issuerUrl}`);
  if (o.identity) {
    const s = by("identity");
    lines.push(`  identity        ${o.identity.name} (${s ? verb(s) : "reused"}) clientId ${o.identity.clientId}, principalId ${o.identity.principalId}`);
  }
  if (o.serviceAccount) {
    const s = by("serviceAccount");
    lines.push(`  serviceaccount  ${o.serviceAccount.namespace}/${o.serviceAccount.name} (${s ? verb(s) : "reused"})`);
  }
  if (o.federatedCredential) {
    const s = by("federatedCredential");
    lines.push(`  credential      ${o.federatedCredential.name} (${s ? verb(s) : "reused"}) subject ${o.federatedCredential.subject}`);
  }
  for (const a of o.roleAssignments ?? []) lines.push(`  role            ${a.roleName} on ${a.scope}`);
  if (o.testPod) lines.push(`  test pod        ${o.testPod.namespace}/${o.testPod.name}${o.testPod.phase ? ` (${o.testPod.phase})` : ""}`);
  lines.push(
    "",
    `To use it, deploy into namespace ${r.deployment.namespace} with this in the Deployment:`,
    "  spec:",
    "    template:",
    "      metadata:",
    "        labels:",
    `          ${USE_LABEL}: "true"`,
    "      spec:",
    `        serviceAccountName: ${r.deployment.serviceAccountName}`,
  );
  if (r.statePath) lines.push("", `State: ${r.statePath}`);
  return lines;
}
