// Implementation of `aks-wi sandbox start|env|status|stop|principal create`. Returns the exit code; never exits.
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../../core/errors.js";
import { assertRealPath, makeDirs } from "../../core/files.js";
import { EXIT } from "../exit-codes.js";
import { handOverInterrupt } from "../interrupt.js";
import { defaultSandboxDir } from "../../azure/cloud.js";
import { cloudNamed, validateCloud, type CloudName } from "../../azure/clouds.js";
import type { SandboxInfo } from "../../../sandbox/info.js";
import { isDataOutput, renderDocument, writeData } from "../output.js";
import { scalarRow } from "../tables.js";

type Sub = "start" | "env" | "status" | "stop" | "principal-create";

interface Opts {
  dir?: string;
  faults?: string;
  latency?: string;
  rtt?: string;
  foreground?: boolean;
  /** Seed the cluster variants (stopped, failed, out of support) beside the default cluster. */
  clusterVariants?: boolean;
  /** Present the sandbox as this Azure cloud (its names and audiences; endpoints stay local). */
  cloud?: string;
  format?: "sh" | "json" | "yaml";
  output?: "text" | "json" | "yaml" | "table";
  name?: string;
  role?: string[];
  scope?: string[];
  kubeNamespace?: string;
  kubeRole?: "edit" | "view";
}

interface Specs {
  /** The cloud presented, or undefined: the sandbox as itself. */
  cloud?: CloudName;
  faults: string;
  latency: string;
  rtt: string;
  rttMs: Record<string, number>;
}

const out = (line = "") => process.stdout.write(line + "\n");

export async function run(sub: Sub, opts: Opts): Promise<number> {
  const dir = resolve(opts.dir ?? defaultSandboxDir());
  // Nothing of a sandbox can live under /proc or /sys (and a recursive mkdir there never returns).
  assertRealPath(dir, "the sandbox directory", "pass --sandbox-dir (or AKS_WI_SANDBOX_DIR) in a normal directory");
  switch (sub) {
    case "start":
      return start(dir, opts, opts.output ?? "text");
    case "env":
      return env(dir, opts.format ?? "sh");
    case "status":
      return status(dir, opts.output ?? "text");
    case "stop":
      return stop(dir, opts.output ?? "text");
    case "principal-create":
      return principalCreate(dir, opts);
  }
}

async function validateSpecs(opts: Opts): Promise<Specs> {
  const { parseFaults, FaultSpecError, parseLatency, LatencySpecError, RttSpecError } = await import("../../../sandbox/specs.js");
  const faults = opts.faults ?? process.env.AKS_WI_SANDBOX_FAULTS ?? "";
  const latency = opts.latency ?? process.env.AKS_WI_SANDBOX_LATENCY ?? "instant";
  const rtt = opts.rtt ?? process.env.AKS_WI_SANDBOX_RTT ?? "";
  const cloudGiven = opts.cloud ?? (process.env.AKS_WI_SANDBOX_CLOUD || undefined);
  if (cloudGiven !== undefined && !cloudNamed(cloudGiven)) throw new UserError(`--cloud "${cloudGiven}": ${validateCloud(cloudGiven)}`);
  const cloud = cloudGiven === undefined ? undefined : cloudNamed(cloudGiven);
  let rttMs: Record<string, number>;
  try {
    parseFaults(faults);
    rttMs = parseLatency(latency, {}, rtt).rttMs;
  } catch (e) {
    if (e instanceof FaultSpecError) throw new UserError(`--faults: ${e.message}`, 'example: --faults "arm.429=0.2,seed=7"');
    if (e instanceof LatencySpecError) throw new UserError(`--latency: ${e.message}`);
    if (e instanceof RttSpecError) throw new UserError(`--rtt: ${e.message}`, 'example: --rtt "arm=120,kube=40"');
    throw e;
  }
  return { cloud, faults, latency, rtt, rttMs };
}

/** A sandbox started before round trips existed has none. */
const zeroRtt = (like: Record<string, number>) => Object.fromEntries(Object.keys(like).map((k) => [k, 0]));
const rttText = (rtt: Record<string, number> | undefined) =>
  rtt
    ? Object.entries(rtt)
        .map(([k, v]) => `${k}=${v}`)
        .join(",")
    : "";

function summary(info: SandboxInfo, dir: string): void {
  if (info.cloud) out(`  presents     ${info.cloud} (its names and ARM audience; every endpoint below is local)`);
  out(`  ARM          ${info.armEndpoint}`);
  out(`  Entra ID     ${info.authorityHost}/${info.tenantId}`);
  out(`  Kubernetes   ${info.kubeServer}  (kubeconfig ${info.kubeconfig})`);
  out(`  subscription ${info.subscriptionId} (${info.subscriptionName})`);
  out(`  cluster      ${info.clusterName} in resource group ${info.resourceGroup} (${info.location})`);
  // the seeded resources' IDs, what --scope and `az … --ids` take
  if (info.clusterId) out(`               ${info.clusterId}`);
  if (info.keyVaultId) out(`  Key Vault    ${info.keyVaultId}`);
  if (info.storageAccountId) out(`  storage      ${info.storageAccountId}`);
  out(`  latency      ${info.latency}   round trips (ms) ${rttText(info.rtt) || "none"}${info.faults ? `   faults ${info.faults}` : ""}`);
  out(`  state        ${dir}`);
}

/** What sandbox.json says but the client secret, which stays in that 0600 file. */
function shownInfo(info: SandboxInfo): Omit<SandboxInfo, "clientSecret"> {
  const { clientSecret: _secret, ...shown } = info;
  return shown;
}

/** The one document of `-o json|yaml` (version 1, like init's and verify's), or its scalars as a table. */
const outDoc = (format: string, doc: Record<string, unknown>) => writeData(process.stdout, format, { version: 1, ...doc }, scalarRow);

async function start(dir: string, opts: Opts, format: string): Promise<number> {
  const specs = await validateSpecs(opts);
  const daemon = await import("../../../sandbox/daemon.js");
  const already = await daemon.running(dir);
  if (already) {
    // Asked-for faults or latency that differ from the running ones would silently not apply.
    if (
      specs.faults.trim() !== already.faults.trim() ||
      (specs.cloud ?? "") !== (already.cloud ?? "") ||
      specs.latency.trim() !== already.latency.trim() ||
      rttText(specs.rttMs) !== rttText(already.rtt ?? zeroRtt(specs.rttMs))
    ) {
      throw new UserError(
        `a sandbox is already running in ${dir}${already.cloud ? ` as ${already.cloud}` : ""} with latency "${already.latency}"${Object.values(already.rtt ?? {}).some((v) => v > 0) ? `, round trips "${rttText(already.rtt)}"` : ""}${already.faults ? ` and faults "${already.faults}"` : " and no faults"}, not the ones asked for`,
        `stop it first (aks-wi sandbox stop --sandbox-dir ${dir}); its state is kept`,
      );
    }
    if (isDataOutput(format)) return (await outDoc(format, { result: "already running", state: "running", dir, ...shownInfo(already) }), EXIT.ok);
    out(`sandbox already running in ${dir} (pid ${already.pid})`);
    summary(already, dir);
    return EXIT.ok;
  }
  if (opts.foreground) return foreground(dir, specs, !!opts.clusterVariants);

  await makeDirs(dir, "the sandbox directory", 0o700);
  const started = Date.now();
  const r = await daemon.spawnDetached({
    dir,
    entry: process.argv[1],
    args: [
      "--latency",
      specs.latency,
      ...(specs.rtt ? ["--rtt", specs.rtt] : []),
      ...(specs.faults ? ["--faults", specs.faults] : []),
      ...(opts.clusterVariants ? ["--cluster-variants"] : []),
      ...(specs.cloud ? ["--cloud", specs.cloud] : []),
    ],
  });
  if (!r.info) {
    const tail = daemon.logTail(r.log, 3).split("\n").pop() ?? "";
    throw new UserError(`the sandbox did not start${tail ? `: ${tail}` : ""}`, `see ${r.log}`, "failed");
  }
  if (isDataOutput(format))
    return (await outDoc(format, { result: "started", state: "running", dir, readyMs: Date.now() - started, ...shownInfo(r.info) }), EXIT.ok);
  out(`sandbox running (pid ${r.info.pid}, ready in ${Date.now() - started} ms)`);
  summary(r.info, dir);
  out();
  out(`next: aks-wi init --sandbox${opts.dir ? ` --sandbox-dir ${dir}` : ""}`);
  out(`      or the tutorials by hand with az and kubectl: see "Follow the tutorials by hand" in the README`);
  return EXIT.ok;
}

async function foreground(dir: string, specs: Specs, clusterVariants: boolean): Promise<number> {
  const { startSandbox } = await import("../../../sandbox/index.js");
  const sb = await startSandbox({ dir, faults: specs.faults, latency: specs.latency, rtt: specs.rtt, clusterVariants, cloud: specs.cloud });
  out(`sandbox running in the foreground (pid ${process.pid}); Ctrl-C stops it`);
  summary(sb.info, dir);
  await new Promise<void>((resolveStop) => {
    const onSignal = () => resolveStop();
    handOverInterrupt(); // Ctrl-C stops the sandbox gracefully here
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await sb.stop();
  out("sandbox stopped");
  return EXIT.ok;
}

async function requireRunning(dir: string): Promise<SandboxInfo> {
  const { running } = await import("../../../sandbox/daemon.js");
  const info = await running(dir);
  if (!info) throw new UserError(`no sandbox is running in ${dir}`, "start one with `aks-wi sandbox start`", "failed");
  return info;
}

/** What points tools at the sandbox. The client secret stays in DIR/sandbox.json (0600). */
function envVars(info: SandboxInfo, dir: string): Record<string, string> {
  return {
    AKS_WI_SANDBOX_DIR: dir,
    KUBECONFIG: info.kubeconfig,
    AZURE_TENANT_ID: info.tenantId,
    AZURE_SUBSCRIPTION_ID: info.subscriptionId,
    AZURE_CLIENT_ID: info.clientId,
    AZURE_AUTHORITY_HOST: info.authorityHost,
    AZURE_RESOURCE_MANAGER_ENDPOINT: info.armEndpoint,
    NODE_EXTRA_CA_CERTS: info.caFile,
    ...(info.clusterId ? { AKS_WI_SANDBOX_CLUSTER_ID: info.clusterId } : {}),
    ...(info.keyVaultId ? { AKS_WI_SANDBOX_KEY_VAULT_ID: info.keyVaultId } : {}),
    ...(info.storageAccountId ? { AKS_WI_SANDBOX_STORAGE_ACCOUNT_ID: info.storageAccountId } : {}),
  };
}

async function env(dir: string, format: "sh" | "json" | "yaml"): Promise<number> {
  const info = await requireRunning(dir);
  const vars = envVars(info, dir);
  if (format !== "sh") {
    out((await renderDocument(vars, format)).trimEnd());
  } else {
    for (const [k, v] of Object.entries(vars)) out(`export ${k}='${v.replace(/'/g, `'\\''`)}'`);
    out(`# the operator's client secret is in ${join(dir, "sandbox.json")} (readable only by you)`);
  }
  return EXIT.ok;
}

async function status(dir: string, output: string): Promise<number> {
  const { running, readInfo } = await import("../../../sandbox/daemon.js");
  const info = await running(dir);
  if (!info) {
    const stale = !!readInfo(dir);
    if (isDataOutput(output)) await outDoc(output, { result: "stopped", state: "stopped", dir, staleSandboxJson: stale });
    else out(`sandbox: stopped (${dir})${stale ? " — stale sandbox.json from a run that did not stop cleanly" : ""}`);
    return EXIT.failed;
  }
  const up = Math.round((Date.now() - Date.parse(info.startedAt)) / 1000);
  if (isDataOutput(output)) {
    await outDoc(output, { result: "running", state: "running", dir, uptimeSeconds: up, ...shownInfo(info) });
    return EXIT.ok;
  }
  out(`sandbox: running (pid ${info.pid}, up ${up}s)`);
  summary(info, dir);
  return EXIT.ok;
}

async function stop(dir: string, format: string): Promise<number> {
  const { stopDaemon, readInfo } = await import("../../../sandbox/daemon.js");
  const file = join(dir, "sandbox.json");
  const stalePid = readInfo(dir)?.pid;
  const r = await stopDaemon(dir);
  // A killed daemon cannot remove its own sandbox.json; a stale one would mislead the cloud profile.
  rmSync(file, { force: true });
  const stale = stalePid ? ` (removed the stale ${file}; pid ${stalePid} is not this sandbox and was left alone)` : "";
  if (isDataOutput(format)) await outDoc(format, { result: r === "stopped" ? "stopped" : "not running", state: "stopped", dir });
  else if (r === "stopped") out(`sandbox stopped (state kept in ${dir})`);
  else out(`no sandbox was running in ${dir}${stale}`);
  return EXIT.ok;
}

/** Roles pair with scopes by position; with no --scope at all, every role is at the subscription. */
function roleAssignments(opts: Opts): { role: string; scope?: string }[] {
  const roles = opts.role ?? [],
    scopes = opts.scope ?? [];
  if (scopes.length > 0 && scopes.length !== roles.length) {
    throw new UserError(
      `${roles.length} --role but ${scopes.length} --scope`,
      "give one --scope per --role, in the same order, or none (every role at the subscription)",
    );
  }
  return roles.map((role, i) => ({ role, ...(scopes.length ? { scope: scopes[i] } : {}) }));
}

async function principalCreate(dir: string, opts: Opts): Promise<number> {
  const roles = roleAssignments(opts);
  if (!!opts.kubeNamespace !== !!opts.kubeRole)
    throw new UserError("--kube-namespace and --kube-role go together", "e.g. --kube-namespace app --kube-role edit");
  const info = await requireRunning(dir);
  const { createPrincipal, ControlError } = await import("../../../sandbox/daemon.js");
  try {
    const made = await createPrincipal(info, {
      name: opts.name ?? "",
      roles,
      ...(opts.kubeNamespace && opts.kubeRole ? { kube: { namespace: opts.kubeNamespace, role: opts.kubeRole } } : {}),
    });
    out(JSON.stringify(made, null, 2));
    return EXIT.ok;
  } catch (e) {
    if (e instanceof ControlError)
      throw new UserError(
        e.message,
        e.status === 409 ? `pick another name, or use the one in ${join(dir, "principals")}` : undefined,
        e.status >= 500 ? "failed" : "usage",
      );
    throw e;
  }
}
