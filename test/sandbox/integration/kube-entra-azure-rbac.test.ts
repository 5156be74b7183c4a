// The Entra ID + Azure RBAC variant (aks-entra, local accounts disabled) through the real ARM SDK
// and kubectl: its own Kubernetes API (own port, own objects), the admin credential refused as
// AKS refuses it, a kubelogin user credential, and Kubernetes access decided by Azure role
// assignments — an Owner of the subscription gets AKS's Forbidden until "Azure Kubernetes Service
// RBAC Writer" is assigned on {clusterId}/namespaces/{ns}, and then only in that namespace.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { parse } from "yaml";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { builtInRoleByName } from "../../../sandbox/arm/providers/authorization/built-in-roles.js";
import { operatorOf } from "../../../sandbox/core/seed.js";
import { fetchIssuerKeys } from "../../../sandbox/login/issuer-fetch.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

const BIN = join(process.cwd(), "bin", "aks-wi");
const AKS_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
const DENIAL = "User does not have access to the resource in Azure. Update role assignment to allow access.";

const run = (file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(file, args, { encoding: "utf8", env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

let sb: TestSandbox;
let server: string;
let clusterId: string;
let operatorKubeconfig: string;
let operatorOid: string;

/** A kubeconfig for aks-entra carrying a bearer token (what kubelogin would hand kubectl). */
function tokenKubeconfig(name: string, token: string): string {
  const file = join(sb.dir, `${name}.kubeconfig`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "aks-entra", cluster: { server, "certificate-authority": sb.info.caFile } }],
      contexts: [{ name: "aks-entra", context: { cluster: "aks-entra", user: name } }],
      "current-context": "aks-entra",
      users: [{ name, user: { token } }],
    }),
    { mode: 0o600 },
  );
  return file;
}

const aksToken = async (env: NodeJS.ProcessEnv = {}) =>
  (await sandboxCloud(sb.dir, { ...process.env, AZURE_CLIENT_ID: "", AZURE_CLIENT_SECRET: "", ...env })
    .credential()
    .getToken(AKS_SCOPE))!.token;
const kubectl = (kubeconfig: string, ...args: string[]) => run("kubectl", ["--kubeconfig", kubeconfig, ...args], { HOME: sb.dir });
const aks = () => new ContainerServiceClient(sandboxCloud(sb.dir).credential(), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());

beforeAll(async () => {
  sb = await startTestSandbox({ clusterVariants: true });
  server = sb.info.clusterServers!["aks-entra"]!;
  clusterId = `/subscriptions/${sb.info.subscriptionId}/resourcegroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/aks-entra`;
  operatorOid = operatorOf(sb.sandbox.world.state).principalId;
  operatorKubeconfig = tokenKubeconfig("operator", await aksToken());
  // A cluster admin by Azure RBAC makes the namespaces (only "RBAC Cluster Admin" may create them).
  const made = await run(process.execPath, [
    BIN,
    "sandbox",
    "principal",
    "create",
    "ns-admin",
    "--dir",
    sb.dir,
    "--role",
    "Azure Kubernetes Service RBAC Cluster Admin",
    "--scope",
    clusterId,
  ]);
  expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: "" });
  const admin = JSON.parse(made.stdout);
  const adminKubeconfig = tokenKubeconfig("ns-admin", await aksToken({ AZURE_CLIENT_ID: admin.clientId, AZURE_CLIENT_SECRET: admin.clientSecret }));
  for (const ns of ["team-a", "team-b"]) expect((await kubectl(adminKubeconfig, "create", "namespace", ns)).stderr).toBe("");
}, 60_000);
afterAll(async () => sb?.stop());

describe("aks-entra through ARM", () => {
  it("is listed with its kind and its own API server, and its body says Entra + Azure RBAC, local accounts off", async () => {
    expect(sb.info.clusters?.["aks-entra"]).toBe("entra-azure-rbac");
    expect(server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server).not.toBe(sb.info.kubeServer);
    const c = await aks().managedClusters.get(sb.info.resourceGroup, "aks-entra");
    expect(c.aadProfile).toEqual({ managed: true, adminGroupObjectIDs: [], enableAzureRbac: true, tenantID: sb.info.tenantId });
    expect(c.disableLocalAccounts).toBe(true);
    expect(c.fqdn).toBe(new URL(server).host);
  });

  it("refuses the admin credential as AKS does (400 BadRequest)", async () => {
    const e = await aks()
      .managedClusters.listClusterAdminCredentials(sb.info.resourceGroup, "aks-entra")
      .catch((x) => x);
    expect([e.statusCode, e.code, e.message]).toEqual([
      400,
      "BadRequest",
      "Getting static credential is not allowed because this cluster is set to disable local accounts.",
    ]);
  });

  it("hands out a user credential naming its own server and kubelogin's exec plugin for the AKS server app", async () => {
    const res = await aks().managedClusters.listClusterUserCredentials(sb.info.resourceGroup, "aks-entra");
    const kc = parse(Buffer.from(res.kubeconfigs![0]!.value!).toString("utf8"));
    expect(kc.clusters[0].cluster.server).toBe(server);
    expect(kc.users[0].name).toBe(`clusterUser_${sb.info.resourceGroup}_aks-entra`);
    const exec = kc.users[0].user.exec;
    expect(exec.command).toBe("kubelogin");
    expect(exec.args).toEqual([
      "get-token",
      "--environment",
      "AzurePublicCloud",
      "--server-id",
      "6dae42f8-4368-4678-94ff-3960e28e3630",
      "--client-id",
      "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
      "--tenant-id",
      sb.info.tenantId,
      "--login",
      "devicecode",
    ]);
    expect(kc.users[0].user.token).toBeUndefined();
  });
});

describe("aks-entra's Kubernetes API", () => {
  it("keeps its objects apart from the default cluster's, and takes none of the default's static tokens", async () => {
    const onDefault = await kubectl(sb.info.kubeconfig, "get", "namespace", "team-a");
    expect(onDefault.stderr).toContain('namespaces "team-a" not found');
    const staticToken = parse(readFileSync(sb.info.kubeconfig, "utf8")).users[0].user.token;
    const r = await kubectl(tokenKubeconfig("static", staticToken), "get", "namespaces");
    expect(r.stderr).toContain("the server has asked for the client to provide credentials");
  });

  it("denies an Owner with no AKS RBAC role, with AKS's reason, in requests and in can-i", async () => {
    const r = await kubectl(operatorKubeconfig, "get", "serviceaccounts", "-n", "team-a");
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Error from server (Forbidden): serviceaccounts is forbidden: User "${operatorOid}" cannot list resource "serviceaccounts" in API group "" in the namespace "team-a": ${DENIAL}\n`,
    );
    const can = await kubectl(operatorKubeconfig, "auth", "can-i", "create", "serviceaccounts", "-n", "team-a");
    expect(can.stdout).toBe(`no - ${DENIAL}\n`);
  });

  it("allows RBAC Writer on the namespace scope there, at once, and nowhere else", async () => {
    const authz = new AuthorizationManagementClient(sandboxCloud(sb.dir).credential(), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
    const writer = builtInRoleByName("Azure Kubernetes Service RBAC Writer")!;
    const scope = `${clusterId}/namespaces/team-a`;
    await authz.roleAssignments.create(scope, randomUUID(), {
      roleDefinitionId: `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${writer.id}`,
      principalId: operatorOid,
      principalType: "ServicePrincipal",
    });
    const made = await kubectl(operatorKubeconfig, "create", "serviceaccount", "sa1", "-n", "team-a");
    expect({ code: made.code, stderr: made.stderr }).toEqual({ code: 0, stderr: "" });
    expect((await kubectl(operatorKubeconfig, "auth", "can-i", "create", "pods", "-n", "team-a")).stdout).toBe("yes\n");
    const other = await kubectl(operatorKubeconfig, "create", "serviceaccount", "sa1", "-n", "team-b");
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`in the namespace "team-b": ${DENIAL}`);
    // namespaces are cluster-scoped: a namespace's Writer may not make one
    expect((await kubectl(operatorKubeconfig, "create", "namespace", "team-c")).stderr).toContain(`at the cluster scope: ${DENIAL}`);
    expect((await kubectl(sb.info.kubeconfig, "get", "serviceaccount", "sa1", "-n", "team-a")).stderr).toContain('namespaces "team-a" not found');
  });

  it("signs service-account tokens with its own key, published at its own OIDC issuer", async () => {
    const c = await aks().managedClusters.get(sb.info.resourceGroup, "aks-entra");
    const updated = await aks().managedClusters.beginCreateOrUpdateAndWait(
      sb.info.resourceGroup,
      "aks-entra",
      { ...c, oidcIssuerProfile: { enabled: true }, securityProfile: { ...c.securityProfile, workloadIdentity: { enabled: true } } },
      { updateIntervalInMs: 10 },
    );
    const issuer = updated.oidcIssuerProfile!.issuerURL!;
    const r = await kubectl(operatorKubeconfig, "create", "token", "sa1", "-n", "team-a", "--audience", "api://AzureADTokenExchange");
    expect(r.stderr).toBe("");
    const token = r.stdout.trim();
    expect(decodeJwt(token)).toMatchObject({ iss: issuer, sub: "system:serviceaccount:team-a:sa1", aud: ["api://AzureADTokenExchange"] });
    const jwks = (await fetchIssuerKeys(issuer, readFileSync(sb.info.caFile, "utf8"))) as { keys: { kid: string }[] };
    const defaultKid = JSON.parse(readFileSync(join(sb.dir, "cluster-sa-signing-key.json"), "utf8")).kid;
    expect(jwks.keys.map((k) => k.kid)).toEqual([decodeProtectedHeader(token).kid]);
    expect(decodeProtectedHeader(token).kid).not.toBe(defaultKid);
  });

  it("keeps its port and its objects across a restart", async () => {
    await sb.sandbox.stop();
    const again = await startTestSandbox({ dir: sb.dir });
    sb = { ...again, stop: async () => (await again.stop(), rmSync(again.dir, { recursive: true, force: true })) };
    expect(sb.info.clusterServers?.["aks-entra"]).toBe(server);
    expect((await kubectl(operatorKubeconfig, "get", "serviceaccount", "sa1", "-n", "team-a", "-o", "name")).stdout).toBe("serviceaccount/sa1\n");
    expect((await kubectl(sb.info.kubeconfig, "get", "serviceaccount", "sa1", "-n", "team-a")).stderr).toContain('namespaces "team-a" not found');
  });
});
