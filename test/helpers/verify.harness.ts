// Shared by the verify-*.test.ts acceptance tests: a sandbox set up by the BUILT `aks-wi init`,
// `aks-wi verify` run as a child process, and breaks made with the real SDK clients and kubectl.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { startTestSandbox, type TestSandbox } from "./sandbox.js";
import type { LatencyProfile } from "../../sandbox/core/types.js";
import { cleanEnv, runCli, tempDir, vaultId, type CliResult } from "./init-cli.harness.js";

export const NS = "ns";
export const SA = "sa";
export const IDENTITY = "id-x";
export const RG = "rg-sandbox";
export const CLUSTER = "aks-sandbox";
export const ROLE = "Key Vault Secrets User";

export interface VerifyEnv {
  sb: TestSandbox;
  work: string;
  statePath: string;
  vault: string;
  subscription: string;
  kubeconfig: string;
  clients: { aks: ContainerServiceClient; msi: ManagedServiceIdentityClient; auth: AuthorizationManagementClient };
}

/** A sandbox with `aks-wi init` applied for NS/SA → IDENTITY with ROLE on the Key Vault. */
export async function setUp(latency?: Partial<LatencyProfile>): Promise<VerifyEnv> {
  const sb = await startTestSandbox({ latency });
  const work = tempDir("aks-wi-verify-");
  const statePath = join(work, "state.json");
  const vault = vaultId(sb.dir);
  const subscription = sb.info.subscriptionId;
  const init = await runCli(
    [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb.dir,
      "--yes",
      "--subscription",
      subscription,
      "--resource-group",
      RG,
      "--cluster",
      CLUSTER,
      "--identity",
      IDENTITY,
      "--namespace",
      NS,
      "--service-account",
      SA,
      "--role",
      ROLE,
      "--scope",
      vault,
      "--state",
      statePath,
    ],
    { cwd: work },
  );
  if (init.code !== 0) throw new Error(`aks-wi init failed (${init.code}): ${init.stderr || init.stdout}`);
  const profile = sandboxCloud(sb.dir);
  const cred = profile.credential();
  const o = profile.clientOptions();
  const kubeconfig = join(work, "kubeconfig");
  writeFileSync(
    kubeconfig,
    Buffer.from((await new ContainerServiceClient(cred, subscription, o).managedClusters.listClusterUserCredentials(RG, CLUSTER)).kubeconfigs![0]!.value!),
  );
  return {
    sb,
    work,
    statePath,
    vault,
    subscription,
    kubeconfig,
    clients: {
      aks: new ContainerServiceClient(cred, subscription, o),
      msi: new ManagedServiceIdentityClient(cred, subscription, o),
      auth: new AuthorizationManagementClient(cred, subscription, o),
    },
  };
}

export function verify(env: VerifyEnv, extra: string[] = [], envVars: Record<string, string> = {}): Promise<CliResult> {
  return runCli(["verify", "--sandbox", "--sandbox-dir", env.sb.dir, "--state", env.statePath, ...extra], { cwd: env.work, env: envVars });
}

export interface JsonFinding {
  check: string;
  id: string;
  status: string;
  message: string;
  expected?: string;
  actual?: string;
  fix?: string;
}

export async function verifyJson(env: VerifyEnv, extra: string[] = [], envVars: Record<string, string> = {}) {
  const r = await verify(env, ["--output", "json", ...extra], envVars);
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`verify printed no JSON (exit ${r.code}): ${r.stderr}\n${r.stdout}`);
  }
  const findings: JsonFinding[] = report.checks.flatMap((c: any) => c.findings);
  return { r, report, findings, failed: findings.filter((f) => f.status === "FAIL") };
}

/** The real kubectl, run asynchronously: the sandbox serves from this same process. */
export function kubectl(env: VerifyEnv, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", args, { env: { ...cleanEnv(), KUBECONFIG: env.kubeconfig }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(" ")} failed: ${err}`))));
    child.stdin.end(input ?? "");
  });
}

/** A labelled (or not) pod under `sa`, created with kubectl and waited for Running. */
export async function createPod(env: VerifyEnv, name: string, opts: { sa?: string; label?: boolean } = {}): Promise<void> {
  const manifest = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: NS, labels: opts.label === false ? { app: name } : { app: name, "azure.workload.identity/use": "true" } },
    spec: { serviceAccountName: opts.sa ?? SA, containers: [{ name: "main", image: "mcr.microsoft.com/azure-cli:latest", command: ["sleep", "infinity"] }] },
  };
  await kubectl(env, ["apply", "-f", "-"], JSON.stringify(manifest));
  await kubectl(env, ["-n", NS, "wait", "--for=jsonpath={.status.phase}=Running", `pod/${name}`, "--timeout=30s"]);
}

export const byCheck = (findings: JsonFinding[], check: string) => findings.filter((f) => f.check === check);
