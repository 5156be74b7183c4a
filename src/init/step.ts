// The contract of an `aks-wi init` step. A step only plans: it reads what exists (once per run,
// through `ctx.seen`) and returns the operations that would make it right. The runner shows those
// operations, checks the caller may make them, asks what must be asked, and then runs exactly
// them as a dependency graph; nothing is read again at apply time except what an operation itself
// needs to know "after" an earlier one (the issuer URL, the new identity's client ID). Steps
// import only this file and src/core: never an SDK, the prompt library or the terminal.
import type { AzureOps, KubeOps } from "../core/ports.js";
import type { UserError } from "../core/errors.js";
import type { GraphNode } from "./graph.js";
import type { Observations } from "./observe.js";
import type { Need } from "./preflight.js";
import type { InitInputs, InitOutputs, InitState } from "./state.js";

export type { InitInputs, InitOutputs, InitState };

export type StepName = "cluster" | "issuer" | "identity" | "serviceAccount" | "federatedCredential" | "roleAssignment" | "workloads" | "testPod";

/** "read": the step changes nothing in Azure or the cluster, but has something to read (and record)
 *  that only exists after an earlier step applies. */
export type Change = "none" | "read" | "create" | "update" | "delete";

/** Something that must be agreed to before anything changes (asked with the plan, never mid-apply). */
export interface Question {
  /** The yes/no question, asked with default No. */
  text: string;
  /** The flag that answers yes in advance; without it and without a terminal the plan stops with `refusal`. */
  flag?: "overwrite" | "allowBroadScope";
  /** Answered by --yes too (the irreversible cluster change); otherwise only the flag or a person answers it. */
  yesAnswers?: boolean;
  refusal: UserError;
}

export interface OperationHooks {
  /** The service accepted the first write (its precondition held); dependents waiting for acceptance start. */
  accepted(): void;
  /** New status text for the progress line. */
  progress(text: string): void;
  warn(line: string): void;
}

export interface Operation extends GraphNode {
  step: StepName;
  action: "create" | "update" | "delete" | "read" | "wait";
  /** The ARM resource ID or Kubernetes object the operation writes (or reads, for "read"). */
  target: string;
  /** One line for the plan and the progress display. */
  summary: string;
  /** What is sent (a body or patch), values known only after an earlier operation shown as PENDING. */
  body?: unknown;
  /** Ids of operations, or names of steps (all their operations), that must be done first. */
  after: string[];
  /** Ids or step names whose first write must have been accepted first. */
  afterAccepted?: string[];
  /** What the caller must be allowed, checked before anything changes. */
  needs: Need[];
  question?: Question;
  run(ctx: StepContext, hooks: OperationHooks): Promise<void>;
}

export interface StepPlan {
  step: StepName;
  change: Change;
  /** One line for the plan table, e.g. "create identity id-app in rg-app (eastus)". */
  summary: string;
  /** Values shown under the line (name → value). */
  details?: Record<string, string>;
  /** What the step would do; empty when nothing is to change. */
  ops: Operation[];
  /** What differs from the desired state, field by field, for `status` (default: the summary). */
  drift?: string[];
  /** What the plan observed that the state records as soon as the apply starts (reused resources). */
  record?(outputs: InitOutputs): void;
}

export interface StepContext {
  inputs: InitInputs;
  state: InitState;
  azure: AzureOps;
  /** Kubernetes access; connects lazily (needs the cluster credential from ARM). */
  kube(): Promise<KubeOps>;
  /** The reads of this run's plan, each made once and shared by every step. */
  seen: Observations;
}

export interface Step {
  name: StepName;
  title: string;
  /** Read-only: what exists and the operations that would change it. Must make no writes. */
  plan(ctx: StepContext): Promise<StepPlan>;
}

/** A step definition: the plan's step name comes from the step itself. */
export function defineStep(def: { name: StepName; title: string; plan(ctx: StepContext): Promise<Omit<StepPlan, "step">> }): Step {
  return { name: def.name, title: def.title, plan: async (ctx) => ({ step: def.name, ...(await def.plan(ctx)) }) };
}
