// Acceptance (issue 11, enterprise clusters): on aks-entra (Entra ID + Azure RBAC, local accounts
// disabled, its own Kubernetes API) init as the operator, an Owner of the subscription with no AKS
// RBAC role, stops in the plan with the role, scope and az command to grant (exit 4, nothing
// changed); --admin is one clean line (exit 2); once "Azure Kubernetes Service RBAC Writer" is
// assigned on the namespace through the real ARM SDK, init converges and verify exits 0. On
// aks-private (its API server reachable only inside its network) init without a kubeconfig from
// there stops in the plan naming the cluster private with its FQDN and the options; with the
// sandbox's kubeconfig "from inside the network" it converges.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { builtInRoleByName } from "../../sandbox/arm/providers/authorization/built-in-roles.js";
import { operatorOf } from "../../sandbox/core/seed.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { CLI, runCli, tempDir, writeFingerprint } from "../helpers/init-cli.harness.js";

const NS = "payments";
const AKS_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
const WRITER = "Azure Kubernetes Service RBAC Writer";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
let clusterId: string;
let operatorOid: string;

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

/** The namespace exists already, made by a cluster admin by Azure RBAC (only "RBAC Cluster Admin"
 *  may create namespaces), as a platform team hands one to an application team. */
async function makeNamespace(): Promise<void> {
  const made = await run(process.execPath, [
    CLI,
    "sandbox",
    "principal",
    "create",
    "platform-admin",
    "--dir",
    sb.dir,
    "--role",
    "Azure Kubernetes Service RBAC Cluster Admin",
    "--scope",
    clusterId,
  ]);
  expect(made.stderr).toBe("");
  const admin = JSON.parse(made.stdout);
  const env = { ...process.env, AZURE_CLIENT_ID: admin.clientId, AZURE_CLIENT_SECRET: admin.clientSecret };
  const token = (await sandboxCloud(sb.dir, env).credential().getToken(AKS_SCOPE))!.token;
  const kubeconfig = join(sb.dir, "platform-admin.kubeconfig");
  const server = sb.info.clusterServers!["aks-entra"]!;
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "aks-entra", cluster: { server, "certificate-authority": sb.info.caFile } }],
      contexts: [{ name: "aks-entra", context: { cluster: "aks-entra", user: "platform-admin" } }],
      "current-context": "aks-entra",
      users: [{ name: "platform-admin", user: { token } }],
    }),
    { mode: 0o600 },
  );
  const r = await run("kubectl", ["--kubeconfig", kubeconfig, "create", "namespace", NS], { HOME: sb.dir });
  expect(r.stderr).toBe("");
}

beforeAll(async () => {
  sb = await startTestSandbox({ clusterVariants: true });
  cwd = tempDir("aks-wi-enterprise-");
  clusterId = `/subscriptions/${sb.info.subscriptionId}/resourcegroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/aks-entra`;
  operatorOid = operatorOf(sb.sandbox.world.state).principalId;
  await makeNamespace();
}, 60_000);
afterAll(async () => {
  await sb?.stop();
});

/** A role assignment for the operator, through the real ARM SDK. */
async function grant(scope: string, role: string): Promise<void> {
  const cloud = sandboxCloud(sb.dir);
  const authz = new AuthorizationManagementClient(cloud.credential(), sb.info.subscriptionId, cloud.clientOptions());
  await authz.roleAssignments.create(scope, randomUUID(), {
    roleDefinitionId: `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${builtInRoleByName(role)!.id}`,
    principalId: operatorOid,
    principalType: "ServicePrincipal",
  });
}

const sandboxArgs = () => ["--sandbox", "--sandbox-dir", sb.dir];
const init = (extra: string[] = []) =>
  runCli(
    [
      "init",
      ...sandboxArgs(),
      "--yes",
      "--cluster",
      "aks-entra",
      "--identity",
      "id-payments",
      "--namespace",
      NS,
      "--service-account",
      "sa-payments",
      "--state",
      `${cwd}/aks-entra.json`,
      ...extra,
    ],
    { cwd },
  );

describe("init on an Entra ID + Azure RBAC cluster with local accounts disabled", () => {
  it("as an Owner with no AKS RBAC role: stops in the plan with the role, scope and az command to grant; nothing changed", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await init();
    expect(r.code, r.stdout + r.stderr).toBe(4);
    const scope = `${clusterId}/namespaces/${NS}`;
    expect(r.stderr).toContain(`grant "${WRITER}" on ${scope} (az role assignment create --role "${WRITER}" --assignee ${operatorOid} --scope ${scope})`);
    expect(r.stderr).toContain("User does not have access to the resource in Azure");
    expect(r.stderr).not.toMatch(/--admin|role binding/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("--admin is one clean line: local accounts are disabled (exit 2, nothing changed)", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await init(["--admin"]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain("cluster aks-entra has local accounts disabled, so it has no admin credential for --admin");
    expect(r.stderr).toContain("drop --admin");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("with RBAC Reader on the namespace: the plan reads, and its permission check names the Writer role to grant; nothing changed", async () => {
    await grant(`${clusterId}/namespaces/${NS}`, "Azure Kubernetes Service RBAC Reader");
    const before = writeFingerprint(sb.dir);
    const r = await init();
    expect(r.code, r.stdout + r.stderr).toBe(4);
    const scope = `${clusterId}/namespaces/${NS}`;
    expect(r.stderr).toMatch(/you lack \d+ permissions this plan needs: .*Kubernetes: create serviceaccounts in namespace payments/);
    expect(r.stderr).toContain(
      `on this Azure RBAC cluster, grant "${WRITER}" on ${scope} (az role assignment create --role "${WRITER}" --assignee <your object ID> --scope ${scope})`,
    );
    expect(r.stderr).not.toMatch(/--admin|role binding/);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("once RBAC Writer is assigned on the namespace through ARM, init converges and verify exits 0", async () => {
    await grant(`${clusterId}/namespaces/${NS}`, WRITER);
    const r = await init();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const v = await runCli(["verify", ...sandboxArgs(), "--state", `${cwd}/aks-entra.json`], { cwd });
    expect(v.code, v.stdout + v.stderr).toBe(0);
    // a namespace's Writer may not read the webhook's objects in kube-system: the fix names the role, never --admin
    expect(v.stdout).toContain(`grant "Azure Kubernetes Service RBAC Reader" on ${clusterId} to read it`);
    expect(v.stdout).not.toContain("--admin");
  });
});

const initPrivate = (extra: string[] = []) =>
  runCli(
    [
      "init",
      ...sandboxArgs(),
      "--yes",
      "--cluster",
      "aks-private",
      "--identity",
      "id-private",
      "--namespace",
      "orders",
      "--service-account",
      "sa-orders",
      "--state",
      `${cwd}/aks-private.json`,
      ...extra,
    ],
    { cwd },
  );

describe("init on a private cluster", () => {
  it("without a kubeconfig from inside its network: stops in the plan naming it private, its FQDN and the options; nothing changed", async () => {
    const before = writeFingerprint(sb.dir);
    const started = Date.now();
    const r = await initPrivate();
    expect(r.code, r.stdout + r.stderr).not.toBe(0);
    const fqdn = sb.sandbox.world.state.clusters[clusterId.replace("aks-entra", "aks-private").toLowerCase()]!.body.properties.privateFQDN;
    expect(fqdn).toMatch(/\.privatelink\.eastus\.azmk8s\.invalid$/);
    expect(r.stderr).toContain(`cluster aks-private is a private cluster: its API server (${fqdn}) resolves and answers only inside its virtual network`);
    expect(r.stderr).toContain("or pass --kubeconfig with a kubeconfig that reaches it");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("with the kubeconfig from inside the network: the plan names the API server private, and init converges", async () => {
    const inside = sb.info.insideKubeconfigs!["aks-private"]!;
    const r = await initPrivate(["--kubeconfig", inside]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /API server: private: aks-privat-\S+\.privatelink\.eastus\.azmk8s\.invalid \(reachable only inside the cluster's virtual network\)/,
    );
    const v = await runCli(["verify", ...sandboxArgs(), "--state", `${cwd}/aks-private.json`, "--kubeconfig", inside], { cwd });
    expect(v.code, v.stdout + v.stderr).toBe(0);
  });
});
