// AKS's run-command API (`az aks command invoke`): how a private cluster's API is used without a
// network path to it. POST {cluster}/runCommand {command, context, clusterToken} answers 202 with
// a Location of {cluster}/commandResults/{id}; that GET answers 202 while the command runs, then
// 200 with {id, properties: {provisioningState, exitCode, startedAt, finishedAt, logs, reason}}
// (ManagedClusters_RunCommand / ManagedClusters_GetCommandResult in azure-rest-api-specs, examples
// RunCommandRequest.json, RunCommandResultSucceed.json / RunCommandResultFailed.json; the id is 32
// hex digits). AKS starts a pod with kubectl and helm on the cluster; the sandbox runs the command
// with /bin/sh -c in a temp dir holding the request's context files, KUBECONFIG naming the
// cluster's API server by its real address (the credential: clusterToken when given, as for
// Entra clusters, else the user credential), for at most RUN_TIMEOUT_MS, output capped.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import type { SandboxResponse, ServiceContext } from "../../../core/types.js";
import { key } from "../../../core/world.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { armError, missingBody, resourceNotFound } from "../../errors.js";
import { buildKubeconfig } from "../../../kube/kubeconfig.js";
import { kubeContextOf } from "../../../kube/cluster-apis.js";
import { managedClusterId } from "./cluster-body.js";
import { MANAGED_CLUSTER_API_VERSIONS } from "./managed-clusters.js";

/** runCommand is in the API from 2021-05-01 on. */
const RUN_COMMAND_API_VERSIONS = MANAGED_CLUSTER_API_VERSIONS.filter((v) => v >= "2021-05-01");
const NS = "Microsoft.ContainerService";
const TYPE = `${NS}/managedClusters`;
const CLUSTER = `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${NS}/managedClusters/{resourceName}`;
/** The sandbox's own limits (AKS gives its command pod a time limit too; the docs do not say how long). */
const RUN_TIMEOUT_MS = 60_000;
const MAX_LOG_BYTES = 512 * 1024;

interface CommandRun {
  clusterKey: string;
  startedAt: string;
  finishedAt?: string;
  exitCode?: number;
  logs?: string;
  reason?: string;
  state: "Running" | "Succeeded" | "Failed";
}

/** Runs of this sandbox process by id (not persisted: a restart forgets them, as a pod's logs go). */
const runs = new Map<string, CommandRun>();

const nowIso = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

function resultLocation(call: ArmCall, id: string): string {
  const base = call.req.url.pathname.replace(/\/runCommand$/i, "");
  return `${call.ctx.info.armEndpoint}${base}/commandResults/${id}?api-version=${call.apiVersion}`;
}

const sh = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string; timedOut: boolean }> =>
  new Promise((resolve) => {
    execFile(cmd, args, { cwd, env, timeout: RUN_TIMEOUT_MS, maxBuffer: MAX_LOG_BYTES * 2, encoding: "utf8" }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      const code = e ? (typeof e.code === "number" ? e.code : 1) : 0;
      resolve({ code, out: `${stdout ?? ""}${stderr ?? ""}`, timedOut: !!e?.killed });
    });
  });

/** Runs the command for the cluster served at `kctx`, recording its result in `run`. */
async function execute(kctx: ServiceContext, run: CommandRun, command: string, context: string, clusterToken: string | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "aks-sandbox-runcommand-"));
  try {
    const kubeconfig = join(dir, ".kubeconfig");
    writeFileSync(kubeconfig, buildKubeconfig(kctx, "user", { inside: true, token: clusterToken }), { mode: 0o600 });
    const env = { PATH: process.env.PATH, HOME: dir, KUBECONFIG: kubeconfig };
    if (context) {
      // the context is a base64 zip of the attached files (az's _get_command_context)
      writeFileSync(join(dir, ".context.zip"), Buffer.from(context, "base64"));
      const unzip = await sh("unzip", ["-q", ".context.zip"], dir, env);
      if (unzip.code !== 0) return finish(run, { state: "Failed", reason: "the attached files could not be extracted" });
    }
    const r = await sh("/bin/sh", ["-c", command], dir, env);
    const logs = Buffer.from(r.out).subarray(0, MAX_LOG_BYTES).toString("utf8");
    if (r.timedOut) return finish(run, { state: "Failed", reason: `the command did not finish within ${RUN_TIMEOUT_MS / 1000} s`, logs });
    finish(run, { state: "Succeeded", exitCode: r.code, logs });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function finish(run: CommandRun, r: Pick<CommandRun, "state"> & Partial<CommandRun>): void {
  Object.assign(run, r, { finishedAt: nowIso() });
}

async function runCommand(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const id = managedClusterId(ctx.world.state.subscriptionId, params.resourceGroupName, params.resourceName);
  const c = ctx.world.state.clusters[key(id)];
  if (!c) return resourceNotFound(TYPE, params.resourceName, params.resourceGroupName);
  const body = call.json;
  if (!body || typeof body !== "object" || Array.isArray(body)) return missingBody();
  if (typeof body.command !== "string" || !body.command.trim()) return armError(400, "InvalidParameter", "The value of parameter command is invalid.");
  if (c.body.properties?.apiServerAccessProfile?.disableRunCommand === true) {
    return armError(400, "BadRequest", "Run command is disabled for this cluster.");
  }
  const runId = randomUUID().replace(/-/g, "");
  const run: CommandRun = { clusterKey: key(c.id), startedAt: nowIso(), state: "Running" };
  runs.set(runId, run);
  const kctx = kubeContextOf(ctx, c.id);
  void execute(
    kctx,
    run,
    body.command,
    typeof body.context === "string" ? body.context : "",
    typeof body.clusterToken === "string" && body.clusterToken ? body.clusterToken : undefined,
  ).catch((e) => finish(run, { state: "Failed", reason: String((e as Error)?.message ?? e) }));
  // Retry-After: az polls every 5 s unless told otherwise (aks_runcommand's polling_interval).
  return { status: 202, headers: { location: resultLocation(call, runId), "retry-after": "1" } };
}

async function commandResult(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const id = managedClusterId(ctx.world.state.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!ctx.world.state.clusters[key(id)]) return resourceNotFound(TYPE, params.resourceName, params.resourceGroupName);
  const run = runs.get(params.commandId);
  if (!run || run.clusterKey !== key(id)) return resourceNotFound(`${TYPE}/commandResults`, params.commandId, params.resourceGroupName);
  if (run.state === "Running") {
    return { status: 202, headers: { location: call.req.url.href.replace(/^https:\/\/[^/]+/, ctx.info.armEndpoint), "retry-after": "1" } };
  }
  const properties: Record<string, unknown> = { provisioningState: run.state, startedAt: run.startedAt, finishedAt: run.finishedAt };
  if (run.exitCode !== undefined) properties.exitCode = run.exitCode;
  if (run.logs !== undefined) properties.logs = run.logs;
  if (run.reason) properties.reason = run.reason;
  return { status: 200, body: { id: params.commandId, properties } };
}

export const runCommandRoutes: ArmRoute[] = [
  {
    path: `${CLUSTER}/runCommand`,
    methods: ["POST"],
    apiVersions: RUN_COMMAND_API_VERSIONS,
    // the actions the AKS docs name for command invoke (access-private-cluster.md)
    action: () => `${TYPE}/runcommand/action`,
    scope: (call) => managedClusterId(call.ctx.world.state.subscriptionId, call.params.resourceGroupName, call.params.resourceName),
    handle: runCommand,
  },
  {
    path: `${CLUSTER}/commandResults/{commandId}`,
    methods: ["GET"],
    apiVersions: RUN_COMMAND_API_VERSIONS,
    action: () => `${TYPE}/commandResults/read`,
    scope: (call) => managedClusterId(call.ctx.world.state.subscriptionId, call.params.resourceGroupName, call.params.resourceName),
    handle: commandResult,
  },
];
