// Acceptance with Azure's waits switched on (scaled down): the built `aks-wi init` against a sandbox
// whose cluster update, identity and role-assignment writes take time, whose new identity answers
// ParentResourceNotFound to federated-credential writes for a while and whose new principal RBAC
// cannot see yet. The run must still complete all eight steps with exactly one credential and one
// role assignment. What the sandbox answered is read off its ARM listener (node:diagnostics_channel).
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { recordArm } from "../helpers/arm-recorder.js";
import { KV_SECRETS_USER, armView, kubectlJson, readInitState, runCli, tempDir, vaultId } from "../helpers/init-cli.harness.js";

const LATENCY = {
  clusterUpdateMs: 1_000,
  identityWriteMs: 300,
  ficParentNotFoundMs: 1_500,
  // Longer than the credential's wait, so the role-assignment step still falls inside it.
  principalReplicationMs: 5_000,
  roleAssignmentWriteMs: 300,
  podStartMs: 500,
};

let sb: Awaited<ReturnType<typeof startTestSandbox>>;

beforeAll(async () => {
  sb = await startTestSandbox({ latency: LATENCY });
});
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi init against Azure's waits (scaled down)", () => {
  it("waits out the cluster update and the identity's replication; all eight steps done, one credential, one role assignment", async () => {
    const cwd = tempDir("aks-wi-init-realistic-");
    const vault = vaultId(sb.dir);
    const args = [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb.dir,
      "--yes",
      "--identity",
      "id-slow",
      "--namespace",
      "app",
      "--service-account",
      "sa-app",
      "--role",
      "Key Vault Secrets User",
      "--scope",
      vault,
    ];
    const rec = recordArm(Number(new URL(sb.info.armEndpoint).port));
    const r = await runCli(args, { cwd }).finally(() => rec.stop());
    expect(r.stderr).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Workload identity is set up.");

    const { subscriptionId: subscription, resourceGroup, clusterName: cluster } = sb.info;
    const state = readInitState(join(cwd, ".aks-wi", cluster, "state.json"))!;
    expect(Object.values(state.steps).map((s) => s!.status)).toEqual(Array(8).fill("done"));

    const arm = await armView(sb.dir, { subscription, resourceGroup, cluster, identity: "id-slow", scope: vault });
    expect(arm.cluster.securityProfile?.workloadIdentity?.enabled).toBe(true);
    expect(arm.credentials).toHaveLength(1);
    expect(arm.credentials[0]).toMatchObject({ issuer: arm.cluster.oidcIssuerProfile!.issuerURL, subject: "system:serviceaccount:app:sa-app" });
    expect(arm.assignments).toHaveLength(1);
    expect(arm.assignments[0]!.roleDefinitionId!.toLowerCase()).toMatch(new RegExp(`/${KV_SECRETS_USER}$`));
    const pod = await kubectlJson(sb.info.kubeconfig, ["get", "pod", "aks-wi-test", "-n", "app"]);
    expect(pod.status.phase).toBe("Running");

    // The waits were real. The cluster update answered InProgress and was polled until it finished.
    const clusterPut = rec.log.filter((e) => e.method === "PUT" && /\/managedClusters\/[^/]+$/i.test(e.path));
    expect(clusterPut.map((e) => e.status)).toEqual([200]); // an update of the seeded cluster
    const opPolls = rec.log.filter((e) => e.method === "GET" && /\/operations\//i.test(e.path));
    expect(opPolls.length).toBeGreaterThanOrEqual(1);
    expect(opPolls.at(-1)!.startedAt - clusterPut[0]!.startedAt).toBeGreaterThanOrEqual(LATENCY.clusterUpdateMs - 50);
    // The sandbox refused the credential while the identity replicated (the step comes ~0.1 s after
    // the identity; the window is 1.5 s); init waited it out and wrote it once, with no 409.
    const born = Object.values(sb.sandbox.world.state.identities).find((i) => i.name === "id-slow")!.createdAt;
    const ficPuts = rec.log.filter((e) => e.method === "PUT" && /\/federatedIdentityCredentials\//i.test(e.path));
    const timeline = ficPuts.map((e) => `${e.status} ${e.code ?? ""} +${e.startedAt - born}ms`).join(", ");
    expect([ficPuts[0]!.status, ficPuts[0]!.code], timeline).toEqual([404, "ParentResourceNotFound"]);
    expect(
      ficPuts.every((e) => e.status === 201 || (e.code === "ParentResourceNotFound" && e.startedAt < born + LATENCY.ficParentNotFoundMs)),
      timeline,
    ).toBe(true);
    expect(
      ficPuts.filter((e) => e.status === 201),
      timeline,
    ).toHaveLength(1);
    expect(ficPuts.at(-1)!.status, timeline).toBe(201);
    // The role assignment went in while RBAC could not see the principal yet, in one PUT.
    const raPuts = rec.log.filter((e) => e.method === "PUT" && /\/roleAssignments\//i.test(e.path));
    expect(raPuts.map((e) => [e.status, e.code])).toEqual([[201, undefined]]);
    expect(raPuts[0]!.startedAt).toBeLessThan(born + LATENCY.principalReplicationMs);
  });
});
