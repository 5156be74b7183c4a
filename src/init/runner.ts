// Plan, check, ask, apply: every step plans (read-only, the reads shared) into operations; the
// plan is shown; the caller's permissions for every write are checked; everything that must be
// agreed to (the irreversible cluster change, broad grants, re-binds) is asked with the plan,
// before anything changes; then exactly the planned operations run, each as soon as what it
// waits for is done, side by side. The state is saved as each operation starts and ends, so a
// killed or failed run resumes where it stopped.
import chalk from "chalk";
import { CancelledError, DeniedError, StepError, UserError } from "../core/errors.js";
import type { CliUi } from "../terminal/ui.js";
import { GraphError, runGraph } from "./graph.js";
import { observe } from "./observe.js";
import { CONDITIONS_NOTE, describeNeed, missingPermissions, type PermissionProbe } from "./preflight.js";
import type { Change, Operation, Step, StepContext, StepName, StepPlan } from "./step.js";

export type StepResult = "no change" | "read" | "created" | "updated" | "deleted";

export interface StepOutcome {
  step: StepName;
  title: string;
  change: Change;
  summary: string;
  details?: Record<string, string>;
  /** Undefined when the run stopped before applying (dry run). */
  result?: StepResult;
  seconds?: number;
}

/** An operation as the plan shows it (and `--dry-run -o json` prints it). */
export interface OperationView {
  id: string;
  step: StepName;
  action: Operation["action"];
  target: string;
  summary: string;
  after: string[];
  body?: unknown;
}

export interface RunOptions {
  steps: readonly Step[];
  /** The run's context; its `seen` is replaced by this run's fresh observations. */
  ctx: Omit<StepContext, "seen"> & { seen?: StepContext["seen"] };
  ui: CliUi;
  dryRun: boolean;
  /** --yes given: apply without asking. */
  yes: boolean;
  /** Persists ctx.state (atomically); not called by a dry run. */
  save(): Promise<void>;
  /** What a failed step's error advises (default: re-run init, which resumes). */
  again?: string;
}

export interface RunResult {
  plans: StepPlan[];
  operations: OperationView[];
  outcomes: StepOutcome[];
  /** False for a dry run. */
  applied: boolean;
}

const firstLine = (s: string) => s.split("\n")[0] ?? s;

/** What to do after a step of init failed. */
export const INIT_AGAIN = "fix the cause and re-run aks-wi init: it resumes from this step";

/** Any failure inside a step becomes a StepError naming it (by `title`, the plan's name for it,
 *  when given), with what to do next (`again`: the command's own advice, init's by default). */
export function toStepError(step: StepName, e: unknown, title?: string, again = INIT_AGAIN): Error {
  if (e instanceof CancelledError) return e;
  if (e instanceof StepError) return title ? new StepError(e.step, e.detail, e.suggestion, e.kind === "denied" ? "denied" : "failed", title) : e;
  if (e instanceof UserError) {
    // A usage mistake found while planning stays one (exit 2), named by its step.
    if (e.kind === "usage") return new UserError(`${title ?? `step "${step}"`}: ${firstLine(e.message)}`, e.suggestion);
    return new StepError(step, firstLine(e.message), e.suggestion ?? again, e.kind === "denied" ? "denied" : "failed", title);
  }
  const err = new StepError(step, firstLine((e as Error)?.message ?? String(e)), `${again} (AKS_WI_DEBUG=1 shows details)`, "failed", title);
  (err as { cause?: unknown }).cause = e;
  return err;
}

/** The plan's title of a step, for errors. */
export const titleOf = (steps: readonly Step[], step: StepName) => steps.find((s) => s.name === step)?.title;

export const CHANGE_LABEL: Record<Change, string> = { none: "no change", read: "read", create: "create", update: "update", delete: "delete" };
/** Whether a plan changes anything (a read does not). */
export const changes = (p: StepPlan) => p.change !== "none" && p.change !== "read";

export const paintChange = (color: boolean, c: Change, s: string) =>
  !color ? s : c === "none" || c === "read" ? chalk.dim(s) : c === "create" ? chalk.green(s) : c === "delete" ? chalk.red(s) : chalk.yellow(s);

/** One numbered line per step, its details and (for several writes) each operation, indented by `indent`. */
export function formatStepLines(titles: string[], plans: StepPlan[], color: boolean, indent = "  ", notes: (string | undefined)[] = []): string[] {
  const lines: string[] = [];
  const pad = `${indent}     `;
  plans.forEach((p, i) => {
    const label = CHANGE_LABEL[p.change].padEnd(9);
    lines.push(`${indent}${i + 1}. ${paintChange(color, p.change, label)} ${titles[i]!}: ${p.summary}${notes[i] ? ` ${notes[i]}` : ""}`);
    if (p.change !== "none") {
      for (const [k, v] of Object.entries(p.details ?? {})) lines.push(`${pad}${color ? chalk.dim(`${k}:`) : `${k}:`} ${v}`);
    }
    // A step made of several writes lists each, in the order they can run.
    if (p.ops.length > 1) for (const o of p.ops) lines.push(`${pad}${color ? chalk.dim("·") : "-"} ${o.summary}`);
  });
  return lines;
}

export function formatPlan(steps: readonly Step[], plans: StepPlan[], color: boolean): string[] {
  const lines = [
    "Plan:",
    ...formatStepLines(
      steps.map((s) => s.title),
      plans,
      color,
    ),
  ];
  const n = plans.filter(changes).length;
  lines.push(n === 0 ? "Nothing to change." : `${n} of ${plans.length} steps will make changes.`);
  return lines;
}

/** Replaces step names in `after`/`afterAccepted` by the ids of that step's operations (none when
 *  the step has nothing to do); any other entry is an operation id. */
export function resolveDependencies(ops: Operation[]): Operation[] {
  const byStep = new Map<string, string[]>();
  for (const o of ops) byStep.set(o.step, [...(byStep.get(o.step) ?? []), o.id]);
  const expand = (self: Operation, deps: readonly string[] | undefined) => [
    ...new Set((deps ?? []).flatMap((d) => (STEP_NAMES.has(d) ? (byStep.get(d) ?? []).filter((id) => id !== self.id) : [d]))),
  ];
  return ops.map((o) => ({ ...o, after: expand(o, o.after), afterAccepted: expand(o, o.afterAccepted) }));
}

const STEP_NAMES = new Set<string>(["cluster", "issuer", "identity", "serviceAccount", "federatedCredential", "roleAssignment", "workloads", "testPod"]);

export const view = (o: Operation): OperationView => ({
  id: o.id,
  step: o.step,
  action: o.action,
  target: o.target,
  summary: o.summary,
  after: [...o.after, ...(o.afterAccepted ?? [])],
  body: o.body,
});

/** The permission probe over the run's own Azure and Kubernetes operations. A role scope that does
 *  not exist answers 404 here: a mistyped --scope, reported as such before anything changes. */
function probeOf(ctx: RunOptions["ctx"]): PermissionProbe {
  return {
    async armPermissions(scope) {
      try {
        return await ctx.azure.callerPermissions(scope);
      } catch (e) {
        const err = e as UserError & { statusCode?: number };
        if (err.statusCode === 404) throw new UserError(firstLine(err.message), err.suggestion ?? `check that ${scope} exists`);
        throw e;
      }
    },
    kubeCanI: async (q) => (await ctx.kube()).canI(q),
  };
}

export async function preflight(ops: Operation[], ctx: RunOptions["ctx"]): Promise<void> {
  const needs = ops.flatMap((o) => o.needs);
  if (needs.length === 0) return;
  const missing = await missingPermissions(needs, probeOf(ctx));
  if (missing.length === 0) return;
  // A cluster that authorizes by Azure role assignments says which AKS role grants a Kubernetes need.
  const kube = missing.some((n) => n.plane === "kube") ? await ctx.kube() : undefined;
  const described = missing.map((n) => {
    const advice = n.plane === "kube" ? kube?.deniedAdvice?.(n) : undefined;
    return advice ? `${describeNeed(n)}: ${advice}` : describeNeed(n);
  });
  throw new DeniedError(
    `you lack ${missing.length === 1 ? "a permission" : `${missing.length} permissions`} this plan needs: ${described.join("; ")}`,
    `ask for ${missing.length === 1 ? "it" : "them"} (or run as someone who has ${missing.length === 1 ? "it" : "them"}) and re-run; nothing was changed (${CONDITIONS_NOTE})`,
  );
}

/** Asks, with the plan, every question an operation carries; refuses what nobody may answer.
 *  `inputsOf` gives the inputs whose flags answer an operation's question. */
export async function askQuestions(ops: Operation[], inputsOf: (o: Operation) => StepContext["inputs"], ui: CliUi, yes: boolean): Promise<void> {
  for (const o of ops) {
    const q = o.question;
    if (!q) continue;
    if (q.flag && inputsOf(o)[q.flag]) continue;
    if (q.yesAnswers && yes) continue;
    if (!ui.interactive || yes) throw q.refusal;
    if (!(await ui.confirm(q.text, { default: false }))) throw new CancelledError("cancelled: nothing was changed");
  }
}

/** What a step's planned change is called once it has been applied. */
export const resultOf = (c: Change): StepResult =>
  c === "create" ? "created" : c === "read" ? "read" : c === "none" ? "no change" : c === "delete" ? "deleted" : "updated";

/** Each step's outcome as planned (its result is filled in as the apply runs). */
export function plannedOutcomes(steps: readonly Step[], plans: StepPlan[]): StepOutcome[] {
  return steps.map((s, i) => ({ step: s.name, title: s.title, change: plans[i]!.change, summary: plans[i]!.summary, details: plans[i]!.details }));
}

/** The plan phase alone (what `status` shows): every step planned over one fresh set of reads. */
export async function planSteps(steps: readonly Step[], runCtx: RunOptions["ctx"], ui: CliUi, again?: string): Promise<StepPlan[]> {
  const ctx = runCtx as StepContext;
  ctx.seen = observe(ctx.inputs, ctx.azure, ctx.kube);
  return ui.spin("Planning", async (update) => {
    if (ui.tty) update(`Planning ${steps.length} steps`);
    const settled = await Promise.allSettled(steps.map((s) => s.plan(ctx)));
    // The first failure in step order is the one reported (the cluster's before the identity's).
    settled.forEach((r, i) => {
      if (r.status === "rejected") throw toStepError(steps[i]!.name, r.reason, steps[i]!.title, again);
    });
    return settled.map((r) => (r as PromiseFulfilledResult<StepPlan>).value);
  });
}

export async function runSteps(opts: RunOptions): Promise<RunResult> {
  const { steps, ui } = opts;
  const ctx = opts.ctx as StepContext;
  const plans = await planSteps(steps, ctx, ui, opts.again);
  const ops = resolveDependencies(plans.flatMap((p) => p.ops));
  for (const l of formatPlan(steps, plans, ui.tty)) ui.line(l);
  const operations = ops.map(view);

  // Checked in a dry run too: the plan tells what the caller could not do.
  await ui
    .spin("Checking your permissions for the plan's changes", () => preflight(ops, ctx))
    .catch((e) => {
      throw e instanceof UserError ? e : toStepError(ops[0]?.step ?? "cluster", e, titleOf(opts.steps, ops[0]?.step ?? "cluster"), opts.again);
    });
  if (opts.dryRun) {
    ui.line("Dry run: nothing was changed.");
    return { plans, operations, outcomes: plannedOutcomes(steps, plans), applied: false };
  }

  const writes = ops.filter((o) => o.action !== "read");
  if (writes.length > 0 && !opts.yes && !ui.interactive) {
    throw new UserError("the plan has changes and this run cannot ask to proceed", "re-run with --yes to apply it (or --dry-run to only print it)");
  }
  await askQuestions(ops, () => ctx.inputs, ui, opts.yes);
  if (plans.some(changes) && !opts.yes) {
    if (!(await ui.confirm("Apply this plan?", { default: true }))) throw new CancelledError("cancelled: nothing was changed");
  }
  return { plans, operations, outcomes: await apply(opts, ctx, plans, ops), applied: true };
}

async function apply(opts: RunOptions, ctx: StepContext, plans: StepPlan[], ops: Operation[]): Promise<StepOutcome[]> {
  const { steps, ui } = opts;
  const at = () => new Date().toISOString();
  // One save at a time, in order: each sees the state as it was when it was asked for or later.
  let saving: Promise<void> = Promise.resolve();
  const save = () => (saving = saving.then(() => opts.save()));

  for (const p of plans) p.record?.(ctx.state.outputs);
  const outcomes = plannedOutcomes(steps, plans);
  // Each step's title and planned change, looked up by the operations as they start and end.
  const outcomeOf = new Map(outcomes.map((o) => [o.step, o]));
  const left = new Map<StepName, number>();
  const started = new Map<StepName, number>();
  for (const o of ops) left.set(o.step, (left.get(o.step) ?? 0) + 1);
  for (const [i, s] of steps.entries()) {
    if (left.has(s.name)) continue;
    ctx.state.steps[s.name] = { status: "done", at: at(), change: "none" };
    outcomes[i]!.result = plans[i]!.change === "read" ? "read" : "no change";
    ui.line(`${ui.tty ? chalk.dim("•") : "-"} ${s.title}: ${outcomes[i]!.result}`);
  }
  await save();

  const activity = ui.activity();
  try {
    await runGraph(ops, {
      run: (o, accepted) => o.run(ctx, { accepted, progress: (t) => activity.update(o.id, t), warn: (l) => activity.note(l) }),
      onStart(o) {
        if (!started.has(o.step)) {
          started.set(o.step, Date.now());
          // Recorded before the change, so a run killed mid-step shows where it stopped.
          ctx.state.steps[o.step] = { status: "pending", at: at(), change: outcomeOf.get(o.step)!.change };
          void save();
        }
        activity.start(o.id, `${outcomeOf.get(o.step)!.title}: ${o.summary}`);
      },
      onDone(o) {
        const n = left.get(o.step)! - 1;
        left.set(o.step, n);
        if (n === 0) {
          const out = outcomeOf.get(o.step)!;
          out.result = resultOf(out.change);
          out.seconds = Math.round((Date.now() - started.get(o.step)!) / 1000);
          ctx.state.steps[o.step] = { status: "done", at: at(), change: out.change };
        }
        void save();
        activity.done(o.id, `${outcomeOf.get(o.step)!.title}: ${o.summary}: done`);
      },
      onFail(o, e) {
        ctx.state.steps[o.step] = {
          status: "failed",
          at: at(),
          change: outcomeOf.get(o.step)!.change,
          message: firstLine(toStepError(o.step, e, titleOf(steps, o.step), opts.again).message),
        };
        void save();
        activity.fail(o.id, `${outcomeOf.get(o.step)!.title}: ${o.summary}: failed`);
      },
    });
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    const failed = ops.find((o) => o.id === e.failedId)!;
    throw toStepError(failed.step, e.first, titleOf(steps, failed.step), opts.again);
  } finally {
    activity.close();
    await saving;
  }
  return outcomes;
}
