// Acceptance: a fresh non-interactive `aks-wi init` on the sandbox completes all eight steps and
// ARM and kubectl show exactly the expected resources; the second run writes nothing and reports
// "no change" for every step.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { KV_SECRETS_USER, armView, kubectlJson, readInitState, runCli, tempDir, vaultId, writeFingerprint } from "../helpers/init-cli.harness.js";

const STEP_TITLES = [
  "Cluster: OIDC issuer and workload identity",
  "OIDC issuer URL",
  "User-assigned managed identity",
  "Kubernetes service account",
  "Federated identity credential",
  "Azure role assignments",
  "Test pod",
];

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
let vault: string;
let args: string[];

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-init-fresh-");
  vault = vaultId(sb.dir);
  args = [
    "init",
    "--sandbox",
    "--sandbox-dir",
    sb.dir,
    "--yes",
    "--identity",
    "id-app",
    "--namespace",
    "app",
    "--service-account",
    "sa-app",
    "--role",
    "Key Vault Secrets User",
    "--scope",
    vault,
  ];
});
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi init on a fresh sandbox", () => {
  it("completes all eight steps; ARM and kubectl show exactly the expected resources", async () => {
    const r = await runCli(args, { cwd });
    expect(r.stderr).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Plan:");
    expect(r.stdout).toContain("Workload identity is set up.");
    expect(r.stdout).toContain('azure.workload.identity/use: "true"');
    expect(r.stdout).toContain("serviceAccountName: sa-app");

    const { subscriptionId: subscription, resourceGroup, clusterName: cluster } = sb.info;
    const state = readInitState(join(cwd, ".aks-wi", cluster, "state.json"))!;
    expect(Object.values(state.steps).map((s) => s!.status)).toEqual(Array(8).fill("done"));

    const arm = await armView(sb.dir, { subscription, resourceGroup, cluster, identity: "id-app", scope: vault });
    expect(arm.cluster.oidcIssuerProfile?.enabled).toBe(true);
    expect(arm.cluster.securityProfile?.workloadIdentity?.enabled).toBe(true);
    const issuer = arm.cluster.oidcIssuerProfile!.issuerURL!;
    expect(issuer).toMatch(/^https:\/\/.+\/$/);
    expect(arm.identity.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(arm.credentials).toHaveLength(1);
    expect(arm.credentials[0]).toMatchObject({ issuer, subject: "system:serviceaccount:app:sa-app", audiences: ["api://AzureADTokenExchange"] });
    expect(arm.credentials[0]!.issuer).toBe(issuer); // verbatim, trailing slash and all
    expect(arm.assignments).toHaveLength(1);
    expect(arm.assignments[0]!.roleDefinitionId!.toLowerCase()).toMatch(new RegExp(`/${KV_SECRETS_USER}$`));
    expect(arm.assignments[0]!.scope!.toLowerCase()).toBe(vault.toLowerCase());
    // What aks-wi made is marked as its own, in Azure and in the cluster, so it can be found again
    // from any machine: a tag on the identity, a description on the assignment, labels and a
    // binding annotation on the namespace, service account and test pod.
    expect(arm.identity.tags).toEqual({ "managed-by": "aks-wi" });
    expect(arm.assignments[0]!.description).toBe("Made by aks-wi for the workload identity of app/sa-app");

    const sa = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "sa-app", "-n", "app"]);
    expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toBe(arm.identity.clientId);
    expect(sa.metadata.annotations["aks-wi/binding"]).toBe("app/sa-app");
    expect(sa.metadata.labels["app.kubernetes.io/managed-by"]).toBe("aks-wi");
    expect((await kubectlJson(sb.info.kubeconfig, ["get", "namespace", "app"])).metadata.labels["app.kubernetes.io/managed-by"]).toBe("aks-wi");
    const pod = await kubectlJson(sb.info.kubeconfig, ["get", "pod", "aks-wi-test", "-n", "app"]);
    expect(pod.status.phase).toBe("Running");
    expect(pod.metadata.labels["azure.workload.identity/use"]).toBe("true");
    expect(pod.spec.serviceAccountName).toBe("sa-app");
    expect(pod.metadata.annotations["aks-wi/binding"]).toBe("app/sa-app");
    // Exactly one of each: the pods and service accounts we made.
    expect((await kubectlJson(sb.info.kubeconfig, ["get", "pods", "-n", "app"])).items.map((p: any) => p.metadata.name)).toEqual(["aks-wi-test"]);
  });

  it("a second run makes no writes and reports no change for every step (JSON output too)", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await runCli([...args, "--output", "json"], { cwd });
    expect(r.code).toBe(0);
    expect(writeFingerprint(sb.dir)).toBe(before);
    for (const title of STEP_TITLES) expect(r.stderr).toContain(`- ${title}: no change`);
    const report = JSON.parse(r.stdout);
    expect(report.steps.map((s: { result: string }) => s.result)).toEqual(Array(8).fill("no change"));
    expect(report.deployment).toMatchObject({ namespace: "app", serviceAccountName: "sa-app", podTemplateLabels: { "azure.workload.identity/use": "true" } });
    expect(r.stdout).not.toMatch(/eyJ[\w-]+\.eyJ/); // no token anywhere in the output
  });
});
