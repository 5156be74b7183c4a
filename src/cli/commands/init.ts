// Implementation of `aks-wi init`: resolve the inputs (flag → env → state → prompt → default),
// pick the cloud profile, lock and load the state, plan every step, ask, apply, summarize.
// Returns the exit code; never exits itself (errors go to src/cli/main.ts as UserError & co).
import { resolve } from "node:path";
import { chooseProfile, type CloudProfile } from "../../azure/cloud.js";
import type { AzureOps, KubeOps } from "../../core/ports.js";
import type { RetryListener } from "../../core/retry.js";
import { parseBool } from "../../core/util.js";
import { CLIENT_ID_ANNOTATION } from "../../core/workload-identity.js";
import { resolveInputs, type PickSources } from "../../init/inputs.js";
import { cacheClusterReads } from "../../init/read-cache.js";
import { planSteps, runSteps } from "../../init/runner.js";
import { buildStatus, formatStatus } from "../../init/status.js";
import {
  defaultStatePath,
  emptyState,
  lockState,
  readState,
  readStateFor,
  savedInputs,
  writeStateAtomic,
  type InitState,
  type StateLock,
} from "../../init/state.js";
import type { Step, StepContext } from "../../init/step.js";
import { buildInitReport, formatSummary } from "../../init/summary.js";
import type { ClusterRef } from "../../kube/connect.js";
import { inquirerPrompter, type Prompter } from "../../terminal/prompts.js";
import { createUi } from "../../terminal/ui.js";
import { EXIT } from "../exit-codes.js";
import { JSON_VERSION } from "../json-output.js";
import type { InitOptions } from "../options.js";

/** Why this run cannot ask questions, or undefined when it can. With only stdout redirected
 *  (`-o json > out.json`) the prompts go to the terminal on stderr, as az and azd do. */
export function nonInteractiveReason(opts: InitOptions, env: NodeJS.ProcessEnv, stdinTty: boolean, stdoutTty: boolean, stderrTty = false): string | undefined {
  if (opts.yes) return "--yes";
  if (parseBool(env.CI)) return "CI=true";
  if (!stdinTty || (!stdoutTty && !stderrTty)) return "no terminal";
  return undefined;
}

/** One lazily-made value: the Azure and Kubernetes SDKs load only when something needs them. */
function once<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

/** What the command reaches the outside world through; tests replace parts with fakes of our own interfaces. */
export interface InitDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdinTty: boolean;
  stdoutTty: boolean;
  /** Whether stderr is a terminal (prompts go there when stdout is not); false when left out. */
  stderrTty?: boolean;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  profile(opts: InitOptions, env: NodeJS.ProcessEnv): Pick<CloudProfile, "name" | "subscriptionId" | "defaults">;
  azure(profile: CloudProfile): Promise<AzureOps>;
  /** `onRetry` gets each retry's progress line. */
  kube(
    target: ClusterRef,
    azure: () => Promise<AzureOps>,
    profile: CloudProfile,
    opts: InitOptions,
    env: NodeJS.ProcessEnv,
    onRetry?: RetryListener,
  ): Promise<KubeOps>;
  prompter?: Prompter;
  steps(): Promise<readonly Step[]>;
}

/** The real Kubernetes access (src/kube/connect.ts): --kubeconfig/--context, else the cluster's credential from ARM. */
async function realKube(
  target: ClusterRef,
  azure: () => Promise<AzureOps>,
  profile: CloudProfile,
  opts: InitOptions,
  env: NodeJS.ProcessEnv,
  onRetry?: RetryListener,
): Promise<KubeOps> {
  // The Kubernetes client is the heaviest module to load: it loads while ARM answers for the
  // cluster's credential, not before.
  const client = import("../../kube/ops.js");
  const [{ kubeSource }, { aksTokenProvider }] = await Promise.all([import("../../kube/connect.js"), import("../../azure/kube-token.js")]);
  const src = await kubeSource(opts, env, target, azure, aksTokenProvider(profile));
  return (await client).createKubeOps(src.yaml, src.context, { token: src.token, onRetry });
}

function realDeps(): InitDeps {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdinTty: !!process.stdin.isTTY,
    stdoutTty: !!process.stdout.isTTY,
    stderrTty: !!process.stderr.isTTY,
    stdout: process.stdout,
    stderr: process.stderr,
    profile: chooseProfile,
    azure: async (profile) => (await import("../../azure/ops.js")).createAzureOps(profile),
    kube: realKube,
    steps: async () => (await import("../../init/steps/index.js")).STEPS,
  };
}

export async function run(raw: Record<string, unknown>): Promise<number> {
  return runInit(raw as InitOptions, realDeps());
}

/** `aks-wi status`: the same inputs and the same plan as init, reported as drift; never asks,
 *  locks or writes anything. Exit 0 in sync, 6 on drift. */
export async function runStatus(raw: Record<string, unknown>, deps: InitDeps = realDeps()): Promise<number> {
  return runInit({ ...(raw as InitOptions), status: true }, deps);
}

export async function runInit(opts: InitOptions, deps: InitDeps): Promise<number> {
  const { env } = deps;
  const json = opts.output === "json";
  const reason = opts.status ? "status never asks" : nonInteractiveReason(opts, env, deps.stdinTty, deps.stdoutTty, !!deps.stderrTty);
  const interactive = reason === undefined;
  // Human lines go where the prompts are: stderr under -o json or when stdout is redirected; and
  // for status, whose report is the output, planning's progress goes to stderr.
  const humanStream = json || opts.status || (interactive && !deps.stdoutTty) ? deps.stderr : deps.stdout;
  const prompter = interactive ? (deps.prompter ?? inquirerPrompter(humanStream === deps.stderr ? process.stderr : undefined)) : undefined;
  const ui = createUi({ interactive, prompter, stream: humanStream });
  const profile = deps.profile(opts, env) as CloudProfile;
  // Sign-in retries show as lines too, like every other retry.
  profile.onRetry = (line) => ui.note(line);
  // A bad --kubeconfig is an input mistake: found now, not when the plan first reaches the cluster.
  if (opts.kubeconfig || opts.context) (await import("../../kube/connect.js")).checkKubeAccess(opts, env);

  // Shared by the plan and the Kubernetes connection, so the cluster is read once per run.
  const azure = once(async () => cacheClusterReads(await deps.azure(profile)));
  const kubeCache = new Map<string, Promise<KubeOps>>();
  const kubeFor = (subscription: string, resourceGroup: string, cluster: string): Promise<KubeOps> => {
    const key = `${subscription}/${resourceGroup}/${cluster}`;
    let k = kubeCache.get(key);
    if (!k) {
      k = deps.kube({ subscription, resourceGroup, cluster }, azure, profile, opts, env, (line) => ui.note(line));
      kubeCache.set(key, k);
      k.catch(() => kubeCache.delete(key));
    }
    return k;
  };

  const {
    inputs,
    statePath,
    state: loaded,
  } = await resolveInputs({
    options: opts,
    env,
    interactive,
    nonInteractiveReason: reason,
    prompter,
    sources: interactive ? pickSources(azure, kubeFor) : undefined,
    profile: { subscription: profile.subscriptionId, resourceGroup: profile.defaults?.resourceGroup, cluster: profile.defaults?.cluster },
    // --state, else .aks-wi/<cluster>/state.json once the cluster is known.
    stateFile: {
      given: opts.state ? resolve(deps.cwd, opts.state) : undefined,
      pathFor: (cluster) => defaultStatePath(cluster, deps.cwd),
      read: (path) => readStateFor(path, profile.name),
    },
  });

  if (opts.status) {
    const steps = await deps.steps();
    const ctx = {
      inputs,
      state: loaded ?? emptyState(profile.name),
      azure: await azure(),
      kube: () => kubeFor(inputs.subscription, inputs.resourceGroup, inputs.cluster),
    };
    const report = buildStatus(steps, await planSteps(steps, ctx, ui), inputs);
    if (json) deps.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else for (const l of formatStatus(report)) deps.stdout.write(`${l}\n`);
    return report.inSync ? EXIT.ok : EXIT.drift;
  }

  let lock: StateLock | undefined;
  try {
    let state: InitState;
    if (opts.dryRun) {
      state = loaded ?? emptyState(profile.name);
    } else {
      lock = await lockState(statePath);
      // Re-read under the lock: another run may have finished since the first read.
      state = (await readState(statePath)) ?? emptyState(profile.name);
    }
    state.inputs = savedInputs(inputs);
    const path = statePath;
    const ctx = {
      inputs,
      state,
      azure: await azure(),
      kube: () => kubeFor(inputs.subscription, inputs.resourceGroup, inputs.cluster),
    };
    const result = await runSteps({
      steps: await deps.steps(),
      ctx,
      ui,
      dryRun: !!opts.dryRun,
      yes: !!opts.yes,
      // A dry run writes nothing, not even the state file.
      save: opts.dryRun ? async () => {} : () => writeStateAtomic(path, state),
    });
    const report = buildInitReport({ result, inputs, outputs: state.outputs, cloud: profile.name, statePath: opts.dryRun ? undefined : path });
    // The CI contract: one versioned document (its failure twin is printed by src/cli/main.ts).
    if (json) deps.stdout.write(`${JSON.stringify({ version: JSON_VERSION, result: report.status, ...report }, null, 2)}\n`);
    else if (result.applied) for (const l of formatSummary(report, result.outcomes)) ui.line(l);
    return EXIT.ok;
  } finally {
    await lock?.release().catch(() => {});
  }
}

/** Live pick-lists for the prompts, through our own Azure/Kubernetes operations. */
function pickSources(azure: () => Promise<AzureOps>, kubeFor: (s: string, rg: string, c: string) => Promise<KubeOps>): PickSources {
  return {
    async subscriptions() {
      return (await (await azure()).listSubscriptions()).map((s) => ({ name: `${s.name} (${s.id})`, value: s.id }));
    },
    async resourceGroups(sub) {
      return (await (await azure()).listResourceGroups(sub)).map((g) => ({ name: `${g.name} (${g.location})`, value: g.name }));
    },
    async clusters(sub, rg) {
      return (await (await azure()).listClusters(sub, rg)).map((c) => ({
        name: `${c.name} (${c.location}; workload identity ${c.workloadIdentityEnabled ? "on" : "off"})`,
        value: c.name,
      }));
    },
    async identities(sub, rg) {
      return (await (await azure()).listIdentities(sub, rg)).map((i) => ({ name: `${i.name} (client ID ${i.clientId})`, value: i.name }));
    },
    async namespaces(got) {
      const kube = await kubeFor(got.subscription!, got.resourceGroup!, got.cluster!);
      return (await kube.listNamespaces()).map((n) => ({ name: n, value: n }));
    },
    async serviceAccounts(got) {
      const kube = await kubeFor(got.subscription!, got.resourceGroup!, got.cluster!);
      if (!(await kube.namespaceExists(got.namespace!))) return [];
      return (await kube.listServiceAccounts(got.namespace!)).map((sa) => {
        const bound = sa.annotations[CLIENT_ID_ANNOTATION];
        return { name: bound ? `${sa.name} (bound to client ID ${bound})` : sa.name, value: sa.name };
      });
    },
  };
}
