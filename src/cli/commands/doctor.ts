// Implementation of `aks-wi doctor`: one pass over the cluster (every service account, pod and
// Deployment listed once), the subscription's identities (listed once) and the credentials of the
// identities named; verify's checks per workload in memory; with --exchange, verify's token and
// exchange checks for each running labelled pod. Returns the exit code (0 healthy, 3 a finding
// failed, 5 a check could not be made); never exits itself.
import chalk from "chalk";
import { chooseProfile, type CloudProfile } from "../../azure/cloud.js";
import { UserError } from "../../core/errors.js";
import { subscriptionIdOf } from "../../core/subscription-name.js";
import { validateClusterName, validateNamespace, validateResourceGroup, validateSubscription, type Validator } from "../../core/names.js";
import type { RetryListener } from "../../core/retry.js";
import { USE_LABEL } from "../../core/workload-identity.js";
import { clip } from "../../core/util.js";
import { clusterFindings, workloadReports } from "../../doctor/checks.js";
import { gatherDoctor } from "../../doctor/gather.js";
import type { DoctorKube } from "../../doctor/ports.js";
import { buildDoctorReport, doctorVerdict, formatDoctorReport } from "../../doctor/render.js";
import type { ClusterTarget, Workload, WorkloadReport } from "../../doctor/types.js";
import { INPUTS } from "../../init/inputs.js";
import type { ClusterRef } from "../../kube/connect.js";
import { runChecks, worst } from "../../verify/checks.js";
import { DEFAULT_PROPAGATION, gather } from "../../verify/gather.js";
import type { VerifyAzure, VerifyKube } from "../../verify/ports.js";
import type { Status } from "../../verify/types.js";
import { EXIT } from "../exit-codes.js";
import type { ConnectionOptions } from "../options.js";
import { isDataOutput, writeData } from "../output.js";
import { doctorRows } from "../tables.js";

export interface DoctorOptions extends ConnectionOptions {
  subscription?: string;
  resourceGroup?: string;
  cluster?: string;
  namespace?: string;
  exchange?: boolean;
}

/** What the command reaches the outside world through; tests replace parts with fakes of our own interfaces. */
export interface DoctorDeps {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  profile(opts: DoctorOptions, env: NodeJS.ProcessEnv): CloudProfile;
  azure(profile: CloudProfile, onRetry?: RetryListener): Promise<VerifyAzure>;
  kube(
    target: ClusterRef,
    azure: VerifyAzure,
    profile: CloudProfile,
    opts: DoctorOptions,
    env: NodeJS.ProcessEnv,
    onRetry?: RetryListener,
  ): Promise<{ doctor: DoctorKube; verify: VerifyKube }>;
}

function realDeps(): DoctorDeps {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    profile: chooseProfile,
    async azure(profile, onRetry) {
      const [{ createAzureOps }, { createVerifyAzure }] = await Promise.all([import("../../azure/ops.js"), import("../../azure/access.js")]);
      return createVerifyAzure(profile, createAzureOps(profile), { onRetry });
    },
    async kube(target, azure, profile, opts, env, onRetry) {
      const [{ kubeSource }, { createVerifyKube }, { createDoctorKube }, { aksTokenProvider }] = await Promise.all([
        import("../../kube/connect.js"),
        import("../../kube/inspect.js"),
        import("../../kube/inventory.js"),
        import("../../azure/kube-token.js"),
      ]);
      const src = await kubeSource(opts, env, target, async () => azure.ops, aksTokenProvider(profile));
      const o = { token: src.token, onRetry };
      return { doctor: createDoctorKube(src.yaml, src.context, o), verify: createVerifyKube(src.yaml, src.context, o) };
    },
  };
}

export async function run(raw: Record<string, unknown>): Promise<number> {
  return runDoctor(raw as DoctorOptions, realDeps());
}

/** The cluster from the flags, else init's AKS_WI_* variables, else the cloud profile's defaults. */
export function resolveCluster(opts: DoctorOptions, env: NodeJS.ProcessEnv, profile: CloudProfile): ClusterTarget {
  const fromEnv = (key: "subscription" | "resourceGroup" | "cluster") => {
    const variable = INPUTS.find((s) => s.key === key)?.env[0];
    return (variable && env[variable]) || undefined;
  };
  const subscription = opts.subscription ?? fromEnv("subscription") ?? profile.subscriptionId;
  const resourceGroup = opts.resourceGroup ?? fromEnv("resourceGroup") ?? profile.defaults?.resourceGroup;
  const cluster = opts.cluster ?? fromEnv("cluster") ?? profile.defaults?.cluster;
  const missing = Object.entries({ "--subscription": subscription, "--resource-group": resourceGroup, "--cluster": cluster })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length)
    throw new UserError(
      `no cluster to examine: missing ${missing.join(", ")}`,
      "pass --subscription, --resource-group and --cluster (or AKS_WI_SUBSCRIPTION, AKS_WI_RESOURCE_GROUP, AKS_WI_CLUSTER)",
    );
  const rules: [string, string | undefined, Validator][] = [
    ["--subscription", subscription, validateSubscription],
    ["--resource-group", resourceGroup, validateResourceGroup],
    ["--cluster", cluster, validateClusterName],
    ["--namespace", opts.namespace, validateNamespace],
  ];
  const problems = rules.flatMap(([flag, v, check]) => {
    const reason = v === undefined ? undefined : check(v);
    return reason ? [`${flag} "${clip(v!)}": ${reason}`] : [];
  });
  if (problems.length) throw new UserError(`invalid input:\n${problems.map((p) => `  - ${p}`).join("\n")}`, "fix the values above; nothing was checked");
  return { subscription: subscription!, resourceGroup: resourceGroup!, cluster: cluster! };
}

/** Token exchanges run this many pods at a time. */
const EXCHANGES_AT_ONCE = 4;

/** verify's token and exchange checks, from inside each running labelled pod whose identity is known. */
async function exchangeFindings(
  rows: { workload: Workload; report: WorkloadReport }[],
  target: ClusterTarget,
  azure: VerifyAzure,
  kube: VerifyKube,
  progress: (line: string) => void,
): Promise<void> {
  const due = rows.filter(({ workload: w, report: r }) => w.pod?.phase === "Running" && w.pod.labels[USE_LABEL] === "true" && r.identity);
  const queue = [...due];
  await Promise.all(
    Array.from({ length: Math.min(EXCHANGES_AT_ONCE, queue.length) }, async () => {
      for (let row = queue.shift(); row; row = queue.shift()) {
        const { workload: w, report: r } = row;
        const facts = await gather(
          {
            ...target,
            namespace: w.namespace,
            serviceAccount: w.serviceAccount,
            pod: w.pod!.name,
            identity: { subscription: target.subscription, resourceGroup: r.identity!.resourceGroup, name: r.identity!.name },
          },
          { azure, kube: async () => kube, propagation: { ...DEFAULT_PROPAGATION, budgetMs: 0 }, progress },
        );
        r.findings.push(...runChecks(facts).filter((f) => f.check === "token" || f.check === "exchange"));
        r.status = worst(r.findings);
      }
    }),
  );
}

export async function runDoctor(opts: DoctorOptions, deps: DoctorDeps): Promise<number> {
  const { env } = deps;
  const started = Date.now();
  const profile = deps.profile(opts, env);
  if (opts.kubeconfig || opts.context) (await import("../../kube/connect.js")).checkKubeAccess(opts, env);
  const progress = (line: string) => void deps.stderr.write(`${line}\n`);
  (profile as { onRetry?: (line: string) => void }).onRetry = progress;
  let azureOnce: Promise<VerifyAzure> | undefined;
  const azureOf = () => (azureOnce ??= deps.azure(profile, progress));
  const named = opts.subscription ?? (env.AKS_WI_SUBSCRIPTION || undefined);
  const shown = opts.subscription ? "--subscription" : "AKS_WI_SUBSCRIPTION";
  const subscription = named && (await subscriptionIdOf(named, shown, async () => (await azureOf()).ops.listSubscriptions(), progress));
  const target = resolveCluster({ ...opts, ...(subscription ? { subscription } : {}) }, env, profile);
  const azure = await azureOf();
  let kube: { doctor: DoctorKube; verify: VerifyKube } | undefined;
  const facts = await gatherDoctor(target, opts.namespace, {
    azure: azure.ops,
    kube: async () => (kube = await deps.kube(target, azure, profile, opts, env, progress)).doctor,
  });
  const cluster = clusterFindings(facts);
  const rows = workloadReports(facts);
  if (opts.exchange && kube) await exchangeFindings(rows, target, azure, kube.verify, progress);
  const workloads = rows.map((r) => r.report);
  const result = doctorVerdict(cluster, workloads);
  const code = result === "fail" ? EXIT.verifyFailed : result === "unknown" ? EXIT.verifyTransient : EXIT.ok;
  const report = buildDoctorReport({
    target,
    namespace: opts.namespace,
    exchange: !!opts.exchange,
    clusterFindings: cluster,
    workloads,
    durationMs: Date.now() - started,
    exitCode: code,
  });
  const tty = !!deps.stdout.isTTY;
  const colour: Record<Status, (t: string) => string> = { PASS: chalk.green, FAIL: chalk.red, WARN: chalk.yellow, UNKNOWN: chalk.magenta, SKIP: chalk.dim };
  if (isDataOutput(opts.output)) {
    await writeData(deps.stdout, opts.output, report, doctorRows);
    return code;
  }
  const text = `${formatDoctorReport(report, (s, t) => (tty ? colour[s](t) : t)).join("\n")}\n`;
  // A report of hundreds of workloads is large: it is written out before main's process.exit.
  await new Promise<void>((done) => deps.stdout.write(text, () => done()));
  return code;
}
