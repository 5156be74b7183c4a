// Plan, check, ask, apply for many bindings at once (`aks-wi apply -f`): the same four phases as
// runner.ts, over the merged graph of bindings.ts. The plan is shown once for the cluster and once
// per binding; each binding's state file records its own steps as the operations that do their
// work start and end (an operation shared by several bindings is recorded in each of them).
import chalk from "chalk";
import { CancelledError, UserError } from "../core/errors.js";
import type { CliUi } from "../terminal/ui.js";
import { CLUSTER_STEPS, handOver, inBinding, mergePlans, planBindings, type Binding, type MergedOperation, type MergedPlan } from "./bindings.js";
import { GraphError, runGraph } from "./graph.js";
import {
  askQuestions,
  changes,
  formatStepLines,
  plannedOutcomes,
  preflight,
  resultOf,
  titleOf,
  toStepError,
  view,
  type OperationView,
  type StepOutcome,
} from "./runner.js";
import type { Step, StepContext, StepName } from "./step.js";

export interface BindingsRunOptions {
  steps: readonly Step[];
  bindings: Binding[];
  /** The cluster's name, for the plan's heading. */
  cluster: string;
  ui: CliUi;
  dryRun: boolean;
  yes: boolean;
}

export interface BindingOutcomes {
  key: string;
  outcomes: StepOutcome[];
}

export interface BindingsRunResult {
  merged: MergedPlan;
  /** Every operation of the merged plan, with the binding whose plan it came from. */
  operations: (OperationView & { binding: string })[];
  bindings: BindingOutcomes[];
  applied: boolean;
}

/** Each binding's steps as planned, their results filled in as the apply runs. */
function bindingOutcomes(steps: readonly Step[], merged: MergedPlan): BindingOutcomes[] {
  return merged.bindings.map((bp) => ({ key: bp.binding.key, outcomes: plannedOutcomes(steps, bp.plans) }));
}

/** For each binding and step whose operations another binding's do: which, and whether all of them. */
function sharedNotes(merged: MergedPlan): Map<string, string> {
  const absorbed = new Map<string, { by: string; summaries: string[] }>();
  for (const o of merged.ops) {
    for (const m of o.members) {
      if (m.binding === o.owner) continue;
      const k = `${m.binding}|${m.step}`;
      const a = absorbed.get(k) ?? { by: merged.bindings[o.owner]!.binding.key, summaries: [] };
      a.summaries.push(o.summary);
      absorbed.set(k, a);
    }
  }
  const notes = new Map<string, string>();
  for (const k of merged.kept) {
    notes.set(`${k.binding}|${k.step}`, `(not removed after all: ${k.by} still asks for it)`);
  }
  for (const [k, a] of absorbed) {
    const [b, step] = k.split("|") as [string, string];
    const own = merged.bindings[Number(b)]!.plans.find((p) => p.step === step)?.ops.length ?? 0;
    notes.set(k, own <= a.summaries.length ? `(done once, with ${a.by})` : `(${a.summaries.join("; ")}: done once, with ${a.by})`);
  }
  return notes;
}

export function formatBindingsPlan(steps: readonly Step[], merged: MergedPlan, cluster: string, color: boolean): string[] {
  const n = merged.bindings.length;
  const heading = (s: string) => (color ? chalk.bold(s) : s);
  const lines = [`Plan for ${n} binding${n === 1 ? "" : "s"} on cluster ${cluster}:`];
  const clusterIdx = steps.flatMap((s, i) => (CLUSTER_STEPS.has(s.name) ? [i] : []));
  const bindingIdx = steps.flatMap((s, i) => (CLUSTER_STEPS.has(s.name) ? [] : [i]));
  const first = merged.bindings[0];
  if (first && clusterIdx.length) {
    lines.push(`  ${heading("cluster")}`);
    lines.push(
      ...formatStepLines(
        clusterIdx.map((i) => steps[i]!.title),
        clusterIdx.map((i) => first.plans[i]!),
        color,
        "    ",
      ),
    );
  }
  const notes = sharedNotes(merged);
  merged.bindings.forEach((bp, b) => {
    lines.push(`  ${heading(bp.binding.key)}`);
    lines.push(
      ...formatStepLines(
        bindingIdx.map((i) => steps[i]!.title),
        bindingIdx.map((i) => bp.plans[i]!),
        color,
        "    ",
        bindingIdx.map((i) => notes.get(`${b}|${steps[i]!.name}`)),
      ),
    );
  });
  const writes = merged.ops.filter((o) => o.action !== "read").length;
  const shared = merged.ops.filter((o) => o.members.length > 1).length;
  lines.push(
    writes === 0
      ? "Nothing to change."
      : `${writes} change${writes === 1 ? "" : "s"} in all${shared ? `, ${shared} of them done once for several bindings` : ""}.`,
  );
  return lines;
}

export async function runBindings(opts: BindingsRunOptions): Promise<BindingsRunResult> {
  const { steps, ui, bindings } = opts;
  const merged = await ui.spin(`Planning ${bindings.length} binding${bindings.length === 1 ? "" : "s"}`, async () =>
    mergePlans(await planBindings(steps, bindings)),
  );
  for (const l of formatBindingsPlan(steps, merged, opts.cluster, ui.tty)) ui.line(l);
  const operations = merged.ops.map((o) => ({ binding: bindings[o.owner]!.key, ...view(o) }));
  const probeCtx = bindings[0]!.ctx;

  // Checked in a dry run too: the plan tells what the caller could not do.
  await ui
    .spin("Checking your permissions for the plan's changes", () => preflight(merged.ops, probeCtx))
    .catch((e) => {
      throw e instanceof UserError ? e : toStepError(merged.ops[0]?.step ?? "cluster", e, titleOf(steps, merged.ops[0]?.step ?? "cluster"));
    });
  if (opts.dryRun) {
    ui.line("Dry run: nothing was changed.");
    return { merged, operations, bindings: bindingOutcomes(steps, merged), applied: false };
  }
  const writes = merged.ops.filter((o) => o.action !== "read");
  if (writes.length > 0 && !opts.yes && !ui.interactive) {
    throw new UserError("the plan has changes and this run cannot ask to proceed", "re-run with --yes to apply it (or --dry-run to only print it)");
  }
  await askQuestions(merged.ops, (o) => bindings[(o as MergedOperation).owner]!.ctx.inputs, ui, opts.yes);
  if (merged.bindings.some((bp) => bp.plans.some(changes)) && !opts.yes) {
    if (!(await ui.confirm("Apply this plan?", { default: true }))) throw new CancelledError("cancelled: nothing was changed");
  }
  return { merged, operations, bindings: await apply(opts, merged), applied: true };
}

async function apply(opts: BindingsRunOptions, merged: MergedPlan): Promise<BindingOutcomes[]> {
  const { steps, ui, bindings } = opts;
  const at = () => new Date().toISOString();
  const ctxOf = (b: number) => bindings[b]!.ctx as StepContext;
  // One save at a time per binding, in order.
  const saving = bindings.map(() => Promise.resolve());
  const save = (b: number) => (saving[b] = saving[b]!.then(() => bindings[b]!.save()));

  for (const bp of merged.bindings) for (const p of bp.plans) p.record?.(bp.binding.ctx.state.outputs);
  const outcomes = bindingOutcomes(steps, merged);
  const outcomeOf = (b: number, step: StepName) => outcomes[b]!.outcomes.find((o) => o.step === step)!;
  const slot = (b: number, step: StepName) => `${b}|${step}`;
  const left = new Map<string, number>();
  const started = new Map<string, number>();
  for (const o of merged.ops) for (const m of o.members) left.set(slot(m.binding, m.step), (left.get(slot(m.binding, m.step)) ?? 0) + 1);
  bindings.forEach((_b, b) => {
    for (const s of steps) {
      if (left.has(slot(b, s.name))) continue;
      const out = outcomeOf(b, s.name);
      ctxOf(b).state.steps[s.name] = { status: "done", at: at(), change: "none" };
      out.result = out.change === "read" ? "read" : "no change";
    }
    void save(b);
  });

  const label = (o: MergedOperation) => `${CLUSTER_STEPS.has(o.step) ? "" : `${bindings[o.owner]!.key}: `}${outcomeOf(o.owner, o.step).title}: ${o.summary}`;
  const activity = ui.activity();
  try {
    await runGraph(merged.ops, {
      async run(o, accepted) {
        const owner = ctxOf(o.owner);
        // The operation writes into its own copy of the owner's outputs, so exactly what it
        // learned (not what operations running beside it learned) is handed to every member.
        const start = structuredClone(owner.state.outputs);
        const scratch = structuredClone(start);
        await o.run(
          { ...owner, state: { ...owner.state, outputs: scratch } },
          { accepted, progress: (t) => activity.update(o.id, t), warn: (l) => activity.note(l) },
        );
        for (const m of o.members)
          handOver(start as Record<string, unknown>, scratch as Record<string, unknown>, ctxOf(m.binding).state.outputs as Record<string, unknown>);
      },
      onStart(o) {
        for (const m of o.members) {
          const k = slot(m.binding, m.step);
          if (started.has(k)) continue;
          started.set(k, Date.now());
          // Recorded before the change, so a run killed mid-step shows where it stopped.
          ctxOf(m.binding).state.steps[m.step] = { status: "pending", at: at(), change: outcomeOf(m.binding, m.step).change };
          void save(m.binding);
        }
        activity.start(o.id, label(o));
      },
      onDone(o) {
        for (const m of o.members) {
          const k = slot(m.binding, m.step);
          const n = left.get(k)! - 1;
          left.set(k, n);
          if (n === 0) {
            const out = outcomeOf(m.binding, m.step);
            out.result = resultOf(out.change);
            out.seconds = Math.round((Date.now() - started.get(k)!) / 1000);
            ctxOf(m.binding).state.steps[m.step] = { status: "done", at: at(), change: out.change };
          }
          void save(m.binding);
        }
        activity.done(o.id, `${label(o)}: done`);
      },
      onFail(o, e) {
        for (const m of o.members) {
          const message = toStepError(m.step, e, titleOf(steps, m.step)).message.split("\n")[0]!;
          ctxOf(m.binding).state.steps[m.step] = { status: "failed", at: at(), change: outcomeOf(m.binding, m.step).change, message };
          void save(m.binding);
        }
        activity.fail(o.id, `${label(o)}: failed`);
      },
    });
  } catch (e) {
    if (!(e instanceof GraphError)) throw e;
    const failed = merged.ops.find((o) => o.id === e.failedId)!;
    throw inBinding(bindings[failed.owner]!.key, toStepError(failed.step, e.first, titleOf(steps, failed.step)));
  } finally {
    activity.close();
    await Promise.all(saving);
  }
  return outcomes;
}
