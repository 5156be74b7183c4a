// Implementation of `aks-wi verify`: resolve the target (flags, else the init state file), gather
// facts from Azure, the cluster and inside the pod, run the checks in order, print the report
// (text or --output json). Returns the exit code (0 all pass, 3 a check failed, 5 a check could not
// be made for transient errors); never exits itself. Each retry of a call is a line on stderr.
import { join, resolve } from "node:path";
import chalk from "chalk";
import { chooseProfile, type CloudProfile } from "../../azure/cloud.js";
import { UserError } from "../../core/errors.js";
import { subscriptionIdOf } from "../../core/subscription-name.js";
import type { RetryListener } from "../../core/retry.js";
import { INPUTS } from "../../init/inputs.js";
import { latestState, locateState, readStateFor, type InitState } from "../../init/state.js";
import type { ClusterRef } from "../../kube/connect.js";
import { runChecks } from "../../verify/checks.js";
import { DEFAULT_PROPAGATION, gather } from "../../verify/gather.js";
import type { VerifyAzure, VerifyKube } from "../../verify/ports.js";
import { buildVerifyReport, formatReport, verdict } from "../../verify/render.js";
import { propagationBudgetMs, resolveTarget, rolePropagationBudgetMs } from "../../verify/target.js";
import type { Status } from "../../verify/types.js";
import { EXIT } from "../exit-codes.js";
import type { VerifyOptions } from "../options.js";
import { isDataOutput, writeData } from "../output.js";
import { verifyRows } from "../tables.js";

/** What the command reaches the outside world through; tests replace parts with fakes of our own interfaces. */
export interface VerifyDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  profile(opts: VerifyOptions, env: NodeJS.ProcessEnv): CloudProfile;
  /** `onRetry` gets each retry's progress line. */
  azure(profile: CloudProfile, onRetry?: RetryListener): Promise<VerifyAzure>;
  kube(
    target: ClusterRef,
    azure: VerifyAzure,
    profile: CloudProfile,
    opts: VerifyOptions,
    env: NodeJS.ProcessEnv,
    onRetry?: RetryListener,
  ): Promise<VerifyKube>;
}

function realDeps(): VerifyDeps {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    profile: chooseProfile,
    async azure(profile, onRetry) {
      const [{ createAzureOps }, { createVerifyAzure }] = await Promise.all([import("../../azure/ops.js"), import("../../azure/access.js")]);
      return createVerifyAzure(profile, createAzureOps(profile), { onRetry });
    },
    async kube(target, azure, profile, opts, env, onRetry) {
      const [{ kubeSource }, { createVerifyKube }, { aksTokenProvider }] = await Promise.all([
        import("../../kube/connect.js"),
        import("../../kube/inspect.js"),
        import("../../azure/kube-token.js"),
      ]);
      const src = await kubeSource(opts, env, target, async () => azure.ops, aksTokenProvider(profile));
      return createVerifyKube(src.yaml, src.context, { token: src.token, onRetry });
    },
  };
}

/** --state; else the cluster's default state file (keyed as init keys it) when the cluster is
 *  named; else, with nothing named, the newest init state of this cloud in the working directory. */
async function loadState(opts: VerifyOptions, cwd: string, profile: CloudProfile): Promise<InitState | undefined> {
  if (opts.state) {
    const path = resolve(cwd, opts.state);
    const state = await readStateFor(path, profile.name);
    if (!state) throw new UserError(`state file ${path} does not exist`, "run aks-wi init first, or pass the workload with --namespace/--service-account");
    return state;
  }
  const cluster = opts.cluster ?? profile.defaults?.cluster;
  const subscription = opts.subscription ?? profile.subscriptionId;
  const resourceGroup = opts.resourceGroup ?? profile.defaults?.resourceGroup;
  if (cluster && subscription && resourceGroup) {
    return (await locateState((dir) => join(dir, "state.json"), cwd, profile.name, { subscription, resourceGroup, cluster })).state;
  }
  return opts.cluster || opts.namespace || opts.serviceAccount ? undefined : (await latestState(cwd, profile.name))?.state;
}

export async function run(raw: Record<string, unknown>): Promise<number> {
  return runVerify(raw as VerifyOptions, realDeps());
}

/** The target flags verify shares with init, and init's variable for each (src/init/inputs.ts). */
const TARGET_KEYS = ["subscription", "resourceGroup", "cluster", "namespace", "serviceAccount", "identity", "identityResourceGroup"] as const;

/** A pipeline that sets AKS_WI_* once for init gets the same workload from verify: flag, else variable. */
export function withEnvInputs(opts: VerifyOptions, env: NodeJS.ProcessEnv): VerifyOptions {
  const merged: VerifyOptions = { ...opts };
  for (const key of TARGET_KEYS) {
    const variable = INPUTS.find((s) => s.key === key)?.env[0];
    const value = variable ? env[variable] : undefined;
    if (merged[key] === undefined && value) merged[key] = value;
  }
  return merged;
}

export async function runVerify(given: VerifyOptions, deps: VerifyDeps): Promise<number> {
  const { env } = deps;
  const opts = withEnvInputs(given, env);
  const started = Date.now();
  const profile = deps.profile(opts, env);
  const progress = (line: string) => void deps.stderr.write(`${line}\n`);
  (profile as { onRetry?: (line: string) => void }).onRetry = progress;
  let azureOnce: Promise<VerifyAzure> | undefined;
  const azureOps = () => (azureOnce ??= deps.azure(profile, progress));
  // A subscription named rather than given by ID is looked up as init looks it up.
  if (opts.subscription) {
    const shown = given.subscription ? "--subscription" : "AKS_WI_SUBSCRIPTION";
    opts.subscription = await subscriptionIdOf(opts.subscription, shown, async () => (await azureOps()).ops.listSubscriptions(), progress);
  }
  const budgetMs = propagationBudgetMs(opts, env);
  if (opts.kubeconfig || opts.context) (await import("../../kube/connect.js")).checkKubeAccess(opts, env);
  const state = await loadState(opts, deps.cwd, profile);
  const target = resolveTarget(opts, state, {
    subscription: profile.subscriptionId,
    resourceGroup: profile.defaults?.resourceGroup,
    cluster: profile.defaults?.cluster,
  });

  const azure = await azureOps();
  const facts = await gather(target, {
    azure,
    kube: () => deps.kube(target, azure, profile, opts, env, progress),
    propagation: { ...DEFAULT_PROPAGATION, budgetMs, roleBudgetMs: rolePropagationBudgetMs(env) },
    progress,
  });
  const findings = runChecks(facts);
  const result = verdict(findings, facts);
  const code = result === "fail" ? EXIT.verifyFailed : result === "unknown" ? EXIT.verifyTransient : result === "incomplete" ? EXIT.verifyIncomplete : EXIT.ok;
  const report = buildVerifyReport(facts, findings, Date.now() - started, code);
  if (isDataOutput(opts.output)) {
    await writeData(deps.stdout, opts.output, report, verifyRows);
  } else {
    const tty = !!deps.stdout.isTTY;
    const paint = (s: Status, t: string) =>
      !tty
        ? t
        : s === "PASS"
          ? chalk.green(t)
          : s === "FAIL"
            ? chalk.red(t)
            : s === "WARN"
              ? chalk.yellow(t)
              : s === "UNKNOWN"
                ? chalk.magenta(t)
                : chalk.dim(t);
    deps.stdout.write(`${formatReport(report, paint).join("\n")}\n`);
  }
  return code;
}
