// What every command that plans (init, status, apply) needs to reach the outside world: the
// seams tests replace (InitDeps), the real ones, the terminal or not, and one session per run: the
// cloud profile, the Azure operations (made once, the cluster's reads cached) and one Kubernetes
// connection per cluster. Loads no SDK until something is asked of it.
import { join, resolve } from "node:path";
import { chooseProfile, type CloudProfile } from "../azure/cloud.js";
import { signedInLine } from "../azure/sign-in.js";
import type { AzureOps, KubeOps } from "../core/ports.js";
import { kubeAdviceFor } from "../core/kube-advice.js";
import type { RetryListener } from "../core/retry.js";
import { parseBool } from "../core/util.js";
import { resolveInputs, type PickSources, type ResolveRequest, type Resolution } from "../init/inputs.js";
import { cacheClusterReads } from "../init/read-cache.js";
import { locateState, readStateFor } from "../init/state.js";
import type { Step } from "../init/step.js";
import type { ClusterRef } from "../kube/connect.js";
import { inquirerPrompter, type Prompter } from "../terminal/prompts.js";
import { createUi, type CliUi } from "../terminal/ui.js";
import type { InitOptions } from "./options.js";
import { isDataOutput } from "./output.js";

/** Why this run cannot ask questions, or undefined when it can. With only stdout redirected
 *  (`-o json > out.json`) the prompts go to the terminal on stderr, as az and azd do. */
export function nonInteractiveReason(opts: InitOptions, env: NodeJS.ProcessEnv, stdinTty: boolean, stdoutTty: boolean, stderrTty = false): string | undefined {
  if (opts.yes) return "--yes";
  if (parseBool(env.CI)) return "CI=true";
  if (!stdinTty || (!stdoutTty && !stderrTty)) return "no terminal";
  return undefined;
}

/** One lazily-made value: the Azure and Kubernetes SDKs load only when something needs them. */
export function once<T>(make: () => Promise<T>): () => Promise<T> {
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
  profile(
    opts: InitOptions,
    env: NodeJS.ProcessEnv,
  ): Pick<CloudProfile, "name" | "subscriptionId" | "defaults"> & Partial<Pick<CloudProfile, "origin" | "subscriptionOrigin" | "whoAmI">>;
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
export async function realKube(
  target: ClusterRef,
  azure: () => Promise<AzureOps>,
  profile: CloudProfile,
  opts: InitOptions,
  env: NodeJS.ProcessEnv,
  onRetry?: RetryListener,
): Promise<KubeOps> {
  // The Kubernetes client is the heaviest module to load: it loads while ARM answers for the
  // cluster's credential, not before.
  const client = import("../kube/ops.js");
  const [{ kubeSource }, { aksTokenProvider }] = await Promise.all([import("../kube/connect.js"), import("../azure/kube-token.js")]);
  const src = await kubeSource(opts, env, target, azure, aksTokenProvider(profile));
  // The cluster's read is cached for the run (read-cache.ts): its 403s get the advice that fits
  // its authorization (Azure RBAC: a role assignment, not a role binding), and a private or
  // IP-restricted API server that cannot be reached is named as such.
  const cluster = await (await azure()).getCluster(target.subscription, target.resourceGroup, target.cluster).catch(() => undefined);
  return (await client).createKubeOps(src.yaml, src.context, { token: src.token, onRetry, advice: kubeAdviceFor(cluster) });
}

export function realDeps(): InitDeps {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdinTty: !!process.stdin.isTTY,
    stdoutTty: !!process.stdout.isTTY,
    stderrTty: !!process.stderr.isTTY,
    stdout: process.stdout,
    stderr: process.stderr,
    profile: chooseProfile,
    azure: async (profile) => (await import("../azure/ops.js")).createAzureOps(profile),
    kube: realKube,
    steps: async () => (await import("../init/steps/index.js")).STEPS,
  };
}

export interface Terminal {
  ui: CliUi;
  interactive: boolean;
  /** Why the run does not ask (undefined when it may). */
  reason?: string;
  prompter?: Prompter;
}

/** The run's Ui: prompts and human lines go to stderr under -o json|yaml|table, when stdout is redirected,
 *  or when the report is the output (`report`: status); `neverAsk` names why a command never asks. */
export function openTerminal(opts: InitOptions, deps: InitDeps, o: { report?: boolean; neverAsk?: string } = {}): Terminal {
  const data = isDataOutput(opts.output);
  const reason = o.neverAsk ?? nonInteractiveReason(opts, deps.env, deps.stdinTty, deps.stdoutTty, !!deps.stderrTty);
  const interactive = reason === undefined;
  const humanStream = data || o.report || (interactive && !deps.stdoutTty) ? deps.stderr : deps.stdout;
  const prompter = interactive ? (deps.prompter ?? inquirerPrompter(humanStream === deps.stderr ? process.stderr : undefined)) : undefined;
  return { ui: createUi({ interactive, prompter, stream: humanStream }), interactive, reason, prompter };
}

export interface Session {
  profile: CloudProfile;
  /** The Azure operations, made on first use; the cluster's reads cached for the run. */
  azure: () => Promise<AzureOps>;
  /** One Kubernetes connection per cluster, made on first use. */
  kubeFor(subscription: string, resourceGroup: string, cluster: string): Promise<KubeOps>;
}

export async function openSession(opts: InitOptions, deps: InitDeps, ui: CliUi): Promise<Session> {
  const { env } = deps;
  const profile = deps.profile(opts, env) as CloudProfile;
  // Sign-in retries show as lines too, like every other retry.
  profile.onRetry = (line) => ui.note(line);
  // A bad --kubeconfig is an input mistake: found now, not when the plan first reaches the cluster.
  if (opts.kubeconfig || opts.context) (await import("../kube/connect.js")).checkKubeAccess(opts, env);

  // Shared by the plan and the Kubernetes connection, so the cluster is read once per run.
  // The first use signs in and says as whom, once: the credential chain may pick a managed identity
  // or environment variables over az login, and the 403s that follow only make sense knowing which.
  const azure = once(async () => {
    const ops = cacheClusterReads(await deps.azure(profile));
    if (profile.whoAmI) ui.note(signedInLine(await profile.whoAmI(), profile.origin ? { name: profile.name, origin: profile.origin } : undefined));
    return ops;
  });
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
  return { profile, azure, kubeFor };
}

/** Init's inputs (flag → env → state → prompt → default) for a command that works on one binding
 *  (init, status, delete): the state file is --state, else the cluster's default once it is known;
 *  a subscription named, or none named at all, is looked up among the principal's. */
export async function resolveCommandInputs(
  opts: InitOptions,
  deps: InitDeps,
  term: Terminal,
  session: Session,
  sources?: PickSources,
  kept?: ResolveRequest["kept"],
): Promise<Resolution> {
  const { profile, azure } = session;
  return resolveInputs({
    options: opts,
    env: deps.env,
    interactive: term.interactive,
    nonInteractiveReason: term.reason,
    prompter: term.prompter,
    sources,
    kept: term.interactive ? kept : undefined,
    profile: {
      subscription: profile.subscriptionId,
      subscriptionOrigin: profile.subscriptionOrigin,
      resourceGroup: profile.defaults?.resourceGroup,
      cluster: profile.defaults?.cluster,
    },
    subscriptions: async () => (await azure()).listSubscriptions(),
    note: (line) => term.ui.note(line),
    stateFile: {
      given: opts.state ? resolve(deps.cwd, opts.state) : undefined,
      locate: (t) => locateState((dir) => join(dir, "state.json"), deps.cwd, profile.name, t),
      read: (path) => readStateFor(path, profile.name),
    },
  });
}
