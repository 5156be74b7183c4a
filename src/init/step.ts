// The contract of an `aks-wi init` step: a read-only plan, then an apply that makes the planned
// change, both over a StepContext. Steps import only this file and src/core: never an SDK, the
// prompt library or the terminal.
import type { AzureOps, KubeOps } from "../core/ports.js";
import type { Ui } from "../terminal/ui.js";
import type { InitInputs, InitState } from "./state.js";

export type StepName = "cluster" | "issuer" | "identity" | "serviceAccount" | "federatedCredential" | "roleAssignment" | "testPod";

/** "read": the step changes nothing in Azure or the cluster, but has something to read (and record)
 *  that only exists after an earlier step applies. */
export type Change = "none" | "read" | "create" | "update";

export interface StepPlan {
  step: StepName;
  change: Change;
  /** One line for the plan table, e.g. "create identity id-app in rg-app (eastus)". */
  summary: string;
  /** Values shown under the line (name → value). */
  details?: Record<string, string>;
  /** Private data the step's apply needs from its plan. */
  data?: unknown;
}

export interface StepContext {
  inputs: InitInputs;
  state: InitState;
  azure: AzureOps;
  /** Kubernetes access; connects lazily (needs the cluster credential from ARM). */
  kube(): Promise<KubeOps>;
  ui: Ui;
  /** Persist state now (atomic). The runner also saves after every step. */
  save(): Promise<void>;
}

export interface Step {
  name: StepName;
  title: string;
  /** Read-only: what exists and what would change. Must make no writes. */
  plan(ctx: StepContext): Promise<StepPlan>;
  /** Makes the change described by the plan; records outputs in ctx.state.outputs. Idempotent. */
  apply(ctx: StepContext, plan: StepPlan): Promise<void>;
}

/** What a step's own plan function returns: defineStep adds the step's name. */
export type PlanBody = Omit<StepPlan, "step">;

/** A step as its file writes it: like Step, but its plans need not repeat its name. */
export function defineStep(d: Omit<Step, "plan"> & { plan(ctx: StepContext): Promise<PlanBody> }): Step {
  return {
    name: d.name,
    title: d.title,
    plan: async (ctx) => ({ step: d.name, ...(await d.plan(ctx)) }),
    apply: (ctx, plan) => d.apply(ctx, plan),
  };
}
