// Plan first, then apply: every step plans (read-only) before anything changes, the plan is shown,
// the user agrees (or --yes, or --dry-run stops here), then each step with a change applies, and
// the state is saved after every step so a killed or failed run resumes where it stopped.
import chalk from "chalk";
import { CancelledError, StepError, UserError } from "../core/errors.js";
import type { Change, Step, StepContext, StepName, StepPlan } from "./step.js";
import type { CliUi } from "../terminal/ui.js";

export type StepResult = "no change" | "read" | "created" | "updated";

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

export interface RunOptions {
  steps: readonly Step[];
  ctx: StepContext;
  ui: CliUi;
  dryRun: boolean;
  /** --yes given: apply without asking. */
  yes: boolean;
}

export interface RunResult {
  plans: StepPlan[];
  outcomes: StepOutcome[];
  /** False for a dry run. */
  applied: boolean;
}

const firstLine = (s: string) => s.split("\n")[0] ?? s;

/** Any failure inside a step becomes a StepError naming it, with what to do next. */
export function toStepError(step: StepName, e: unknown): Error {
  if (e instanceof CancelledError || e instanceof StepError) return e;
  const again = "fix the cause and re-run aks-wi init: it resumes from this step";
  if (e instanceof UserError) return new StepError(step, firstLine(e.message), e.suggestion ?? again, e.kind === "denied" ? "denied" : "failed");
  const err = new StepError(step, firstLine((e as Error)?.message ?? String(e)), `${again} (AKS_WI_DEBUG=1 shows details)`);
  (err as { cause?: unknown }).cause = e;
  return err;
}

const CHANGE_LABEL: Record<Change, string> = { none: "no change", read: "read", create: "create", update: "update" };
/** Whether a plan changes anything (a read does not). */
const changes = (p: StepPlan) => p.change !== "none" && p.change !== "read";

export function formatPlan(steps: readonly Step[], plans: StepPlan[], color: boolean): string[] {
  const paint = (c: Change, s: string) => (!color ? s : c === "none" || c === "read" ? chalk.dim(s) : c === "create" ? chalk.green(s) : chalk.yellow(s));
  const lines = ["Plan:"];
  plans.forEach((p, i) => {
    const label = CHANGE_LABEL[p.change].padEnd(9);
    lines.push(`  ${i + 1}. ${paint(p.change, label)} ${steps[i]!.title}: ${p.summary}`);
    if (p.change !== "none") {
      for (const [k, v] of Object.entries(p.details ?? {})) lines.push(`       ${color ? chalk.dim(`${k}:`) : `${k}:`} ${v}`);
    }
  });
  const n = plans.filter(changes).length;
  lines.push(n === 0 ? "Nothing to change." : `${n} of ${plans.length} steps will make changes.`);
  return lines;
}

export async function runSteps(opts: RunOptions): Promise<RunResult> {
  const { steps, ctx, ui } = opts;
  const plans: StepPlan[] = [];
  await ui.spin("Planning", async (update) => {
    for (const step of steps) {
      // Without a terminal each update is a line of its own: only the spinner shows per-step progress.
      if (ui.tty) update(`Planning: ${step.title}`);
      try {
        plans.push(await step.plan(ctx));
      } catch (e) {
        throw toStepError(step.name, e);
      }
    }
    if (ui.tty) update(`Planned ${steps.length} steps`);
  });
  for (const l of formatPlan(steps, plans, ui.tty)) ui.line(l);

  const outcome = (i: number): StepOutcome => {
    const p = plans[i]!;
    return { step: steps[i]!.name, title: steps[i]!.title, change: p.change, summary: p.summary, details: p.details };
  };
  if (opts.dryRun) {
    ui.line("Dry run: nothing was changed.");
    return { plans, outcomes: steps.map((_, i) => outcome(i)), applied: false };
  }

  if (plans.some(changes) && !opts.yes) {
    if (!ui.interactive) {
      throw new UserError("the plan has changes and this run cannot ask to proceed", "re-run with --yes to apply it (or --dry-run to only print it)");
    }
    if (!(await ui.confirm("Apply this plan?", { default: true }))) throw new CancelledError("cancelled: nothing was changed");
  }

  const outcomes: StepOutcome[] = [];
  for (const [i, step] of steps.entries()) {
    const plan = plans[i]!;
    const o = outcome(i);
    const at = () => new Date().toISOString();
    if (plan.change === "none") {
      ctx.state.steps[step.name] = { status: "done", at: at(), change: "none" };
      await ctx.save();
      o.result = "no change";
      ui.line(`${ui.tty ? chalk.dim("•") : "-"} ${step.title}: no change`);
      outcomes.push(o);
      continue;
    }
    // Recorded before the change, so a run killed mid-step shows where it stopped.
    ctx.state.steps[step.name] = { status: "pending", at: at(), change: plan.change };
    await ctx.save();
    ui.line(`→ ${step.title}: ${plan.summary}`);
    const start = Date.now();
    try {
      await step.apply(ctx, plan);
    } catch (e) {
      const err = toStepError(step.name, e);
      ctx.state.steps[step.name] = { status: "failed", at: at(), change: plan.change, message: firstLine(err.message) };
      await ctx.save();
      throw err;
    }
    ctx.state.steps[step.name] = { status: "done", at: at(), change: plan.change };
    await ctx.save();
    o.result = plan.change === "create" ? "created" : plan.change === "read" ? "read" : "updated";
    o.seconds = Math.round((Date.now() - start) / 1000);
    ui.line(`${ui.tty ? chalk.green("✔") : "+"} ${step.title}: ${o.result} (${o.seconds}s)`);
    outcomes.push(o);
  }
  return { plans, outcomes, applied: true };
}
