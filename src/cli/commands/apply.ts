// Implementation of `aks-wi apply -f aks-wi.yaml` and `aks-wi status -f aks-wi.yaml`: the bindings
// of a config file, planned together by init's steps (src/init/bindings.ts) and applied as one
// graph, or reported as drift. The file is checked before anything is read from Azure or the
// cluster. Each binding keeps its own state file beside init's (.aks-wi/<cluster>/<ns>.<sa>.json):
// a cache and a resume record; everything is read again from Azure and the cluster every run.
import { join } from "node:path";
import { UserError } from "../../core/errors.js";
import { bindingOf } from "../../core/workload-identity.js";
import type { WorkloadIdentityConfig } from "../../config/load.js";
import { planBindings, type Binding } from "../../init/bindings.js";
import { discoverBindings, type DiscoveredBinding } from "../../init/discover.js";
import { runBindings, type BindingsRunResult } from "../../init/run-bindings.js";
import { assertSameWorkload, locateState, emptyState, lockState, readStateFor, savedInputs, writeStateAtomic, type StateLock } from "../../init/state.js";
import { STATUS_REPORT_VERSION, buildStatus, formatStatus, whichBinding, type StatusReport } from "../../init/status.js";
import { EXIT } from "../exit-codes.js";
import { JSON_VERSION } from "../json-output.js";
import { bindingInputs, narrowed, readConfigFile as readFile, type ApplyOptions } from "../file-bindings.js";
import { openSession, openTerminal, realDeps, type InitDeps, type Session } from "../session.js";
import type { CliUi } from "../../terminal/ui.js";
import { isDataOutput, writeData } from "../output.js";
import { statusRows, stepRows } from "../tables.js";

export type { ApplyOptions };

export async function run(raw: Record<string, unknown>): Promise<number> {
  return runApply(raw as unknown as ApplyOptions, realDeps());
}

export async function runStatusFile(raw: Record<string, unknown>): Promise<number> {
  return raw.all ? runAllStatus(raw as unknown as ApplyOptions, realDeps()) : runFileStatus(raw as unknown as ApplyOptions, realDeps());
}

export async function runApply(opts: ApplyOptions, deps: InitDeps): Promise<number> {
  const data = isDataOutput(opts.output);
  const cfg = await readFile(opts, deps);
  const { ui } = openTerminal(opts, deps);
  const session = await openSession(opts, deps, ui);
  const { chosen, subscription } = narrowed(cfg, opts, session);
  const { resourceGroup, name } = cfg.cluster;
  const azure = await session.azure();
  const kube = () => session.kubeFor(subscription, resourceGroup, name);

  const locks: StateLock[] = [];
  try {
    const key = { subscription, resourceGroup, cluster: name };
    // Each binding's file beside init's, keyed as init's is when another cloud or subscription's files are there.
    const paths = await Promise.all(
      chosen.map(async (b) => (await locateState((dir) => join(dir, `${b.namespace}.${b.serviceAccount}.json`), deps.cwd, session.profile.name, key)).path),
    );
    // Locked in path order, so two runs over overlapping files never wait on each other in a cycle.
    if (!opts.dryRun) for (const p of [...paths].sort()) locks.push(await lockState(p));
    const bindings: Binding[] = await Promise.all(
      chosen.map(async (b, i) => {
        const inputs = bindingInputs(cfg, b, subscription, opts);
        const path = paths[i]!;
        // Read under the lock (another run may have finished since); one of another cloud is refused.
        const state = (await readStateFor(path, session.profile.name)) ?? emptyState(session.profile.name);
        assertSameWorkload(state.inputs, inputs);
        state.inputs = savedInputs(inputs);
        return {
          key: bindingOf(b.namespace, b.serviceAccount),
          ctx: { inputs, state, azure, kube },
          // A dry run writes nothing, not even the state file.
          save: opts.dryRun ? async () => {} : () => writeStateAtomic(path, state),
        };
      }),
    );
    const result = await runBindings({ steps: await deps.steps(), bindings, cluster: name, ui, dryRun: !!opts.dryRun, yes: !!opts.yes });
    if (data) await writeData(deps.stdout, opts.output, applyDocument(cfg, result, paths, session.profile.name, !!opts.dryRun), stepRows);
    else if (result.applied) for (const l of formatApplied(result, name)) ui.line(l);
    return EXIT.ok;
  } finally {
    await Promise.all(locks.map((l) => l.release().catch(() => {})));
  }
}

/** -o json: one versioned document, per binding its steps and what they made. */
function applyDocument(cfg: WorkloadIdentityConfig, r: BindingsRunResult, paths: string[], cloud: string, dryRun: boolean) {
  return {
    version: JSON_VERSION,
    result: r.applied ? "done" : "planned",
    cloud,
    file: cfg.path,
    cluster: cfg.cluster,
    bindings: r.bindings.map((b, i) => {
      const ctx = r.merged.bindings[i]!.binding.ctx;
      return {
        binding: b.key,
        statePath: dryRun ? undefined : paths[i],
        inputs: savedInputs(ctx.inputs),
        steps: b.outcomes.map((o) => ({ name: o.step, title: o.title, change: o.change, result: o.result, summary: o.summary })),
        outputs: ctx.state.outputs,
      };
    }),
    operations: r.operations,
  };
}

/** The human summary after an apply: per binding, what it acts as and what changed. */
function formatApplied(r: BindingsRunResult, cluster: string): string[] {
  const changed = r.bindings.filter((b) => b.outcomes.some((o) => o.result && o.result !== "no change" && o.result !== "read")).length;
  const lines = [
    "",
    `Applied ${r.bindings.length} binding${r.bindings.length === 1 ? "" : "s"} on cluster ${cluster}: ${changed} changed, ${r.bindings.length - changed} already in sync.`,
  ];
  r.merged.bindings.forEach((bp) => {
    const o = bp.binding.ctx.state.outputs;
    const roles = (o.roleAssignments ?? []).map((a) => `${a.roleName} on ${a.scope}`).join("; ");
    lines.push(
      `  ${bp.binding.key}  identity ${o.identity?.name ?? bp.binding.ctx.inputs.identity} (client ID ${o.identity?.clientId ?? "?"})${roles ? `, roles: ${roles}` : ""}`,
    );
  });
  return lines;
}

/** `aks-wi status -f FILE`: every binding's plan read as drift; never asks, locks or writes. Exit 0 in sync, 6 on drift. */
export async function runFileStatus(opts: ApplyOptions, deps: InitDeps): Promise<number> {
  const cfg = await readFile(opts, deps);
  const { ui } = openTerminal(opts, deps, { report: true, neverAsk: "status never asks" });
  const session = await openSession(opts, deps, ui);
  const { chosen, subscription } = narrowed(cfg, opts, session);
  const cluster = { subscription, resourceGroup: cfg.cluster.resourceGroup, name: cfg.cluster.name };
  const azure = await session.azure();
  const found = chosen.map((b) => ({ inputs: bindingInputs(cfg, b, subscription, opts), missing: [] as string[] }));
  return reportStatus(opts, deps, ui, session, { azure, cluster, found, fix: `aks-wi apply -f ${opts.file}`, file: cfg.path });
}

/** `aks-wi status --all`: every binding aks-wi marked on the cluster (src/init/discover.ts). */
export async function runAllStatus(opts: ApplyOptions & { subscription?: string; resourceGroup?: string; cluster?: string }, deps: InitDeps): Promise<number> {
  const { ui } = openTerminal(opts, deps, { report: true, neverAsk: "status never asks" });
  const session = await openSession(opts, deps, ui);
  const subscription = opts.subscription ?? session.profile.subscriptionId;
  const resourceGroup = opts.resourceGroup ?? session.profile.defaults?.resourceGroup;
  const name = opts.cluster ?? session.profile.defaults?.cluster;
  const missing = [
    !subscription && "subscription: --subscription or AZURE_SUBSCRIPTION_ID",
    !resourceGroup && "resource group: -g, --resource-group",
    !name && "AKS cluster: --cluster",
  ].filter(Boolean);
  if (missing.length) throw new UserError(`status --all needs the cluster: missing ${missing.join("; ")}`, "pass them as flags");
  const cluster = { subscription: subscription!, resourceGroup: resourceGroup!, name: name! };
  const azure = await session.azure();
  const kube = await session.kubeFor(cluster.subscription, cluster.resourceGroup, cluster.name);
  const found = await ui.spin("Finding the bindings aks-wi marked on the cluster", () =>
    discoverBindings(azure, kube, { subscription: cluster.subscription, resourceGroup: cluster.resourceGroup, cluster: cluster.name }),
  );
  return reportStatus(opts, deps, ui, session, { azure, cluster, found, fix: "`aks-wi init` (or apply -f) with each binding's inputs" });
}

interface StatusRun {
  azure: Awaited<ReturnType<Session["azure"]>>;
  cluster: { subscription: string; resourceGroup: string; name: string };
  found: DiscoveredBinding[];
  /** How the report says drift is repaired. */
  fix: string;
  file?: string;
}

async function reportStatus(opts: ApplyOptions, deps: InitDeps, ui: CliUi, session: Session, r: StatusRun): Promise<number> {
  const data = isDataOutput(opts.output);
  const kube = () => session.kubeFor(r.cluster.subscription, r.cluster.resourceGroup, r.cluster.name);
  const steps = await deps.steps();
  // A binding whose identity nothing names cannot be planned: it is drift as it stands.
  const plannable = r.found.filter((f) => f.missing.length === 0);
  const bindings: Binding[] = plannable.map((f) => ({
    key: bindingOf(f.inputs.namespace, f.inputs.serviceAccount),
    ctx: { inputs: f.inputs, state: emptyState(session.profile.name), azure: r.azure, kube },
    save: async () => {},
  }));
  const plans = bindings.length
    ? await ui.spin(`Reading ${bindings.length} binding${bindings.length === 1 ? "" : "s"}`, () => planBindings(steps, bindings))
    : [];
  const reports: StatusReport[] = plans.map((bp) => buildStatus(steps, bp.plans, bp.binding.ctx.inputs));
  for (const f of r.found.filter((x) => x.missing.length)) reports.push(unresolved(f));
  const inSync = reports.every((x) => x.inSync);
  if (data) {
    const doc = { version: STATUS_REPORT_VERSION, ...(r.file ? { file: r.file } : {}), cluster: r.cluster, inSync, bindings: reports };
    await writeData(deps.stdout, opts.output, doc, statusRows);
  } else {
    for (const rep of reports) for (const l of formatStatus(rep, { fix: false })) deps.stdout.write(`${l}\n`);
    const drifted = reports.filter((x) => !x.inSync).length;
    deps.stdout.write(
      reports.length === 0
        ? `No binding made by aks-wi on cluster ${r.cluster.name}.\n`
        : inSync
          ? `All ${reports.length} bindings in sync.\n`
          : `Drift in ${drifted} of ${reports.length} bindings: ${r.fix} repairs it (--dry-run shows how).\n`,
    );
  }
  return inSync ? EXIT.ok : EXIT.drift;
}

/** The report of a binding whose identity could not be found: its identity step is the drift. */
function unresolved(f: DiscoveredBinding): StatusReport {
  const i = f.inputs;
  return {
    version: STATUS_REPORT_VERSION,
    ...whichBinding(i),
    inSync: false,
    steps: [{ name: "identity", title: "User-assigned managed identity", state: "drift", drift: f.missing }],
  };
}
