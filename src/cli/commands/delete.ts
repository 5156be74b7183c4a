// Implementation of `aks-wi delete`: what aks-wi made for one binding removed, as a plan over
// absence run by init's engine (the delete steps, src/init/steps/delete/): the same inputs as
// init and status (flag → env → state → prompt → default), the plan shown, the permissions
// checked, asked (or --yes), applied. The state file is left as it is during the run (a failed
// delete re-plans from what exists, with the same saved inputs) and removed after a successful
// one: it recorded a binding that no longer exists. Returns the exit code; never exits itself.
import { unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { removeIfEmpty } from "../../core/files.js";
import { runSteps, type RunResult } from "../../init/runner.js";
import { STATE_DIR, emptyState, locateState, lockState, savedInputs, type InitInputs, type InitState, type StateLock } from "../../init/state.js";
import { isLeftKey } from "../../init/steps/delete/shared.js";
import { EXIT } from "../exit-codes.js";
import { JSON_VERSION } from "../json-output.js";
import type { InitOptions } from "../options.js";
import type { AzureOps } from "../../core/ports.js";
import type { CliUi } from "../../terminal/ui.js";
import { bindingInputs, narrowed, readConfigFile, type ApplyOptions } from "../file-bindings.js";
import { openSession, openTerminal, realDeps, resolveCommandInputs, type InitDeps, type Session } from "../session.js";
import { isDataOutput, writeData } from "../output.js";
import { deleteRows } from "../tables.js";
import { whichBinding } from "../../init/status.js";

export type DeleteOptions = InitOptions;

/** init's seams, with the delete steps as the steps. */
export type DeleteDeps = InitDeps;

/** The one JSON document of `delete -o json`. */
export interface DeleteReport {
  version: typeof JSON_VERSION;
  result: "done" | "planned";
  binding: { namespace: string; serviceAccount: string; identity: string; identityResourceGroup: string };
  cluster: { subscription: string; resourceGroup: string; name: string };
  /** The plan's operations: what ran (done) or would run (planned). */
  operations: RunResult["operations"];
  /** What was (or would be) deleted or stripped, one line each. */
  deleted: string[];
  /** What stays, and why. */
  left: string[];
  /** The binding's state file, removed after a successful delete. */
  stateFile?: { path: string; removed: boolean };
}

function realDeleteDeps(): DeleteDeps {
  return { ...realDeps(), steps: async () => (await import("../../init/steps/delete/index.js")).DELETE_STEPS };
}

export async function run(raw: Record<string, unknown>): Promise<number> {
  if (raw.file) return runDeleteFile(raw as unknown as DeleteOptions & ApplyOptions, realDeleteDeps());
  return runDelete(raw as DeleteOptions, realDeleteDeps());
}

/** The report of a run: the operations, and what each step leaves (its details' "left" entries). */
export function buildDeleteReport(result: RunResult, inputs: InitInputs, stateFile?: DeleteReport["stateFile"]): DeleteReport {
  const left = result.plans.flatMap((p) => Object.entries(p.details ?? {}).flatMap(([k, v]) => (isLeftKey(k) ? [v] : [])));
  return {
    version: JSON_VERSION,
    result: result.applied ? "done" : "planned",
    ...whichBinding(inputs),
    operations: result.operations,
    deleted: result.operations.map((o) => o.summary),
    left,
    stateFile,
  };
}

export function formatDeleteSummary(r: DeleteReport): string[] {
  const lines = ["", r.deleted.length ? `Deleted what aks-wi made for ${r.binding.namespace}/${r.binding.serviceAccount}:` : "Nothing was deleted."];
  for (const d of r.deleted) lines.push(`  - ${d}`);
  if (r.left.length) lines.push("Left:", ...r.left.map((l) => `  - ${l}`));
  if (r.stateFile?.removed) lines.push(`State file ${r.stateFile.path} removed.`);
  return lines;
}

/** Removes the binding's state file (already gone counts as not removed). */
async function removeState(path: string): Promise<boolean> {
  return unlink(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") return false;
      throw e;
    },
  );
}

/** The default state file's directories (.aks-wi/<cluster>) once empty: aks-wi's own, never a directory the user named with --state. */
async function removeStateDirs(path: string): Promise<void> {
  if (basename(dirname(dirname(path))) === STATE_DIR) await removeIfEmpty([dirname(dirname(path)), dirname(path)]);
}

/** What a failed delete advises: it plans again from what is left, so what was already removed is not planned twice. */
export const DELETE_AGAIN = "fix the cause and re-run aks-wi delete: it plans again from what is left";

export async function runDelete(opts: DeleteOptions, deps: DeleteDeps): Promise<number> {
  const data = isDataOutput(opts.output);
  const term = openTerminal(opts, deps);
  const { ui } = term;
  const session = await openSession(opts, deps, ui);
  const { profile, azure, kubeFor } = session;
  const { inputs, statePath, state: loaded } = await resolveCommandInputs(opts, deps, term, session);

  const report = await deleteBinding({ opts, deps, ui, profileName: profile.name, inputs, statePath, loaded, azure: await azure(), kubeFor });
  if (data) await writeData(deps.stdout, opts.output, report, deleteRows);
  else if (report.result === "done") for (const l of formatDeleteSummary(report)) ui.line(l);
  return EXIT.ok;
}

interface OneDelete {
  opts: DeleteOptions;
  deps: DeleteDeps;
  ui: CliUi;
  profileName: string;
  inputs: InitInputs;
  statePath: string;
  loaded?: InitState;
  azure: AzureOps;
  kubeFor: Session["kubeFor"];
  /** The state file is aks-wi's default (its empty directories are tidied after); false for --state. */
  ownPath?: boolean;
}

/** One binding's delete: locked, planned, asked, applied; its state file removed after success. */
async function deleteBinding(d: OneDelete): Promise<DeleteReport> {
  const { opts, inputs, statePath } = d;
  let lock: StateLock | undefined;
  let report: DeleteReport;
  try {
    // Locked against an init (or another delete) of the same binding running meanwhile.
    if (!opts.dryRun) lock = await lockState(statePath);
    const state = d.loaded ?? emptyState(d.profileName);
    state.inputs = savedInputs(inputs);
    const ctx = { inputs, state, azure: d.azure, kube: () => d.kubeFor(inputs.subscription, inputs.resourceGroup, inputs.cluster) };
    const result = await runSteps({
      steps: await d.deps.steps(),
      ctx,
      ui: d.ui,
      dryRun: !!opts.dryRun,
      yes: !!opts.yes,
      // Nothing is saved while deleting: the state file keeps the inputs until the binding is gone.
      save: async () => {},
      again: DELETE_AGAIN,
    });
    const stateFile = result.applied ? { path: statePath, removed: await removeState(statePath) } : undefined;
    report = buildDeleteReport(result, inputs, stateFile);
  } finally {
    await lock?.release().catch(() => {});
  }
  // After the lock is released: its file sits beside the state file.
  if (lock && (d.ownPath ?? !opts.state)) await removeStateDirs(statePath);
  return report;
}

/** `aks-wi delete -f FILE [--binding NS/SA]…`: the file's bindings (or those named) deleted one
 *  after another, each planned from what the ones before it left: the last binding of a shared
 *  identity finds no other credential on it, so the identity goes with it. */
export async function runDeleteFile(opts: DeleteOptions & ApplyOptions, deps: DeleteDeps): Promise<number> {
  const data = isDataOutput(opts.output);
  const cfg = await readConfigFile(opts, deps);
  const { ui } = openTerminal(opts, deps);
  const session = await openSession(opts, deps, ui);
  const { chosen, subscription } = narrowed(cfg, opts, session);
  const azure = await session.azure();
  const key = { subscription, resourceGroup: cfg.cluster.resourceGroup, cluster: cfg.cluster.name };
  const reports: DeleteReport[] = [];
  for (const b of chosen) {
    const inputs = bindingInputs(cfg, b, subscription, opts);
    const { path, state } = await locateState((dir) => join(dir, `${b.namespace}.${b.serviceAccount}.json`), deps.cwd, session.profile.name, key);
    ui.line(`${reports.length ? "\n" : ""}Binding ${b.namespace}/${b.serviceAccount}:`);
    reports.push(
      await deleteBinding({
        opts,
        deps,
        ui,
        profileName: session.profile.name,
        inputs,
        statePath: path,
        loaded: state,
        azure,
        kubeFor: session.kubeFor,
        ownPath: true,
      }),
    );
  }
  if (data)
    await writeData(
      deps.stdout,
      opts.output,
      { version: JSON_VERSION, result: opts.dryRun ? "planned" : "done", file: cfg.path, bindings: reports },
      deleteRows,
    );
  else if (!opts.dryRun) for (const r of reports) for (const l of formatDeleteSummary(r)) ui.line(l);
  return EXIT.ok;
}
