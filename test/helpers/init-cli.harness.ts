// Shared by the init-*.test.ts acceptance tests: runs the BUILT CLI as a child process against a
// sandbox started in-process, and looks at the result with the real SDK clients and kubectl.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { sandboxCloud } from "../../src/azure/cloud.js";
import type { InitState } from "../../src/init/state.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = join(ROOT, "bin", "aks-wi");
export const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** The child's environment: no AKS_WI_* or CI leaking in from the test runner. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("AKS_WI_") && k !== "CI" && k !== "KUBECONFIG") env[k] = v;
  return { ...env, NO_COLOR: "1", ...extra };
}

export function startCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  const result = new Promise<CliResult>((res) => child.on("close", (code, signal) => res({ code, signal, stdout, stderr })));
  return Object.assign(child, { result });
}

export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return startCli(args, opts).result;
}

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The sandbox's persisted world (DIR/state.json, saved after every change). */
export function world(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
}

/** What a write would change: every ARM resource and the kube objects' resource version counter. */
export function writeFingerprint(dir: string): string {
  const w = world(dir);
  const clusters = Object.fromEntries(Object.entries(w.clusters as Record<string, any>).map(([k, c]) => [k, c.body]));
  return JSON.stringify({
    resourceGroups: w.resourceGroups,
    resources: w.resources,
    clusters,
    identities: w.identities,
    federatedCredentials: w.federatedCredentials,
    roleAssignments: w.roleAssignments,
    principals: w.principals,
    kubeResourceVersion: w.kube.resourceVersion,
    // clusters with a Kubernetes API of their own keep their objects in their record
    ownKubeResourceVersions: Object.values(w.clusters as Record<string, any>).map((c) => c.kube?.resourceVersion ?? null),
  });
}

export function vaultId(dir: string): string {
  const vault = Object.values(world(dir).resources as Record<string, any>).find((r) => r.type === "Microsoft.KeyVault/vaults");
  if (!vault) throw new Error(`no Key Vault in the sandbox world at ${dir}`);
  return vault.id as string;
}

export function readInitState(path: string): InitState | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as InitState;
  } catch {
    return undefined;
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000, everyMs = 10): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const collect = async <T>(it: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
};

/** What ARM says now, through the real SDK clients with the sandbox profile's options. */
export async function armView(dir: string, p: { subscription: string; resourceGroup: string; cluster: string; identity: string; scope: string }) {
  const profile = sandboxCloud(dir);
  const cred = profile.credential();
  const opts = profile.clientOptions();
  const aks = new ContainerServiceClient(cred, p.subscription, opts);
  const msi = new ManagedServiceIdentityClient(cred, p.subscription, opts);
  const auth = new AuthorizationManagementClient(cred, p.subscription, opts);
  const cluster = await aks.managedClusters.get(p.resourceGroup, p.cluster);
  const identity = await msi.userAssignedIdentities.get(p.resourceGroup, p.identity);
  const credentials = await collect(msi.federatedIdentityCredentials.list(p.resourceGroup, p.identity));
  const assignments = (await collect(auth.roleAssignments.listForScope(p.scope, { filter: `principalId eq '${identity.principalId}'` }))).filter(
    (a) => a.principalId === identity.principalId,
  );
  return { cluster, identity, credentials, assignments };
}

/** The real kubectl against the sandbox cluster; parsed JSON output. Asynchronous on purpose: a
 * synchronous spawn would block the event loop of the in-process sandbox kubectl is talking to. */
export async function kubectlJson(kubeconfig: string, args: string[]): Promise<any> {
  try {
    const r = await promisify(execFile)("kubectl", [...args, "-o", "json"], { env: { ...cleanEnv(), KUBECONFIG: kubeconfig }, encoding: "utf8" });
    return JSON.parse(r.stdout);
  } catch (e) {
    throw new Error(`kubectl ${args.join(" ")} failed: ${(e as { stderr?: string }).stderr ?? e}`);
  }
}
