// Implementation of `aks-wi verify`: resolve the target (flags, else the init state file), gather
// facts from Azure, the cluster and inside the pod, run the checks in order, print the report
// (text or --output json). Returns the exit code (0 all pass, 3 a check failed); never exits itself.
import { homedir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { readFile } from "node:fs/promises";
import chalk from "chalk";
import { UserError } from "../../core/errors.js";
import { EXIT } from "../exit-codes.js";
import type { CloudProfile } from "../../azure/cloud.js";
import { defaultStatePath, readState } from "../../init/state.js";
import type { InitState } from "../../init/state.js";
import { runChecks, worst } from "../../verify/checks.js";
import { DEFAULT_PROPAGATION, gather } from "../../verify/gather.js";
import type { VerifyAzure, VerifyKube } from "../../verify/ports.js";
import { buildReport, formatReport } from "../../verify/render.js";
import { propagationBudgetMs, resolveTarget } from "../../verify/target.js";
import type { VerifyOptions } from "../options.js";
import type { Status } from "../../verify/types.js";
import { chooseProfile } from "./init.js";

function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  return env.KUBECONFIG?.split(delimiter).find(Boolean) ?? join(homedir(), ".kube", "config");
}

async function loadState(opts: VerifyOptions, cwd: string, cluster: string | undefined, profile: CloudProfile): Promise<InitState | undefined> {
  const path = opts.state ? resolve(cwd, opts.state) : cluster ? defaultStatePath(cluster, cwd) : undefined;
  if (!path) return undefined;
  const state = await readState(path);
  if (!state && opts.state) throw new UserError(`state file ${path} does not exist`, "run aks-wi init first, or pass the workload with --namespace/--service-account");
  if (state && state.cloud !== profile.name) throw new UserError(`state file ${path} belongs to the ${state.cloud} cloud, not ${profile.name}`, "pass another --state (or drop --sandbox / add it)");
  return state;
}

export async function run(raw: Record<string, unknown>): Promise<number> {
  const opts = raw as VerifyOptions;
  const env = process.env;
  const json = opts.output === "json";
  const started = Date.now();
  const profile = chooseProfile(opts, env);
  const budgetMs = propagationBudgetMs(opts, env);
  const state = await loadState(opts, process.cwd(), opts.cluster ?? profile.defaults?.cluster, profile);
  const target = resolveTarget(opts, state, { subscription: profile.subscriptionId, resourceGroup: profile.defaults?.resourceGroup, cluster: profile.defaults?.cluster });

  const [{ createAzureOps }, { createVerifyAzure }] = await Promise.all([import("../../azure/ops.js"), import("../../azure/access.js")]);
  const ops = createAzureOps(profile);
  const azure: VerifyAzure = createVerifyAzure(profile, ops);
  const kube = async (): Promise<VerifyKube> => {
    const { createVerifyKube } = await import("../../kube/inspect.js");
    if (opts.kubeconfig || opts.context) {
      const path = opts.kubeconfig ?? defaultKubeconfigPath(env);
      let yaml: string;
      try {
        yaml = await readFile(path, "utf8");
      } catch (e) {
        throw new UserError(`cannot read kubeconfig ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "check --kubeconfig");
      }
      return createVerifyKube(yaml, opts.context);
    }
    const info = await ops.getCluster(target.subscription, target.resourceGroup, target.cluster);
    if (!info) throw new UserError(`cluster "${target.cluster}" not found in resource group "${target.resourceGroup}"`);
    const yaml = await ops.getClusterKubeconfig(target.subscription, target.resourceGroup, target.cluster, !!opts.admin);
    const { aksTokenProvider } = await import("../../azure/kube-token.js");
    return createVerifyKube(yaml, undefined, { token: info.aadEnabled && !opts.admin ? aksTokenProvider(profile) : undefined });
  };

  const facts = await gather(target, {
    azure,
    kube,
    propagation: { ...DEFAULT_PROPAGATION, budgetMs },
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const findings = runChecks(facts);
  const code = worst(findings) === "FAIL" ? EXIT.verifyFailed : EXIT.ok;
  const report = buildReport(facts, findings, Date.now() - started, code);
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const tty = !!process.stdout.isTTY;
    const paint = (s: Status, t: string) => (!tty ? t : s === "PASS" ? chalk.green(t) : s === "FAIL" ? chalk.red(t) : s === "WARN" ? chalk.yellow(t) : chalk.dim(t));
    process.stdout.write(`${formatReport(report, paint).join("\n")}\n`);
  }
  return code;
}
