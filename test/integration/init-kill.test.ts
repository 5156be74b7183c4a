// Acceptance: SIGKILL during the cluster step (a slow cluster update), and again during the role
// step; each re-run converges with no duplicate federated credential or role assignment.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import type { StepName } from "../../src/init/step.js";
import { armView, readInitState, runCli, startCli, tempDir, vaultId, waitFor } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let vault: string;

beforeAll(async () => {
  // A cluster update that takes a few seconds, so the kill lands while it runs, and a role
  // assignment that is stored seconds before its PUT answers, so a kill can land in between.
  sb = await startTestSandbox({ latency: { clusterUpdateMs: 4_000, roleAssignmentWriteMs: 3_000 } });
  vault = vaultId(sb.dir);
});
afterAll(async () => {
  await sb?.stop();
});

function initArgs(identity: string, ns: string, testPod = false): string[] {
  return [
    "init",
    "--sandbox",
    "--sandbox-dir",
    sb.dir,
    "--yes",
    "--identity",
    identity,
    "--namespace",
    ns,
    "--service-account",
    "sa-app",
    "--role",
    "Key Vault Secrets User",
    "--scope",
    vault,
    testPod ? "--test-pod" : "--no-test-pod",
  ];
}

/** Starts init and SIGKILLs it once the state file shows `step` under way (and `until` holds, if
 *  given); returns the step's status after the kill. */
async function killDuring(step: StepName, args: string[], cwd: string, afterMs = 0, until?: () => boolean): Promise<string> {
  const statePath = join(cwd, ".aks-wi", sb.info.clusterName, "state.json");
  const child = startCli(args, { cwd });
  let exited = false;
  void child.result.then(() => (exited = true));
  await waitFor(`step ${step} to start`, () => exited || readInitState(statePath)?.steps[step]?.status === "pending", 60_000, 5);
  if (until) await waitFor(`${step}: ${until.name}`, () => exited || until(), 60_000, 5);
  expect(exited).toBe(false);
  if (afterMs) await new Promise((r) => setTimeout(r, afterMs));
  child.kill("SIGKILL");
  const r = await child.result;
  expect(r.signal).toBe("SIGKILL");
  // The state file is still whole (atomic writes), and the run did not get to its end.
  const state = readInitState(statePath)!;
  expect(Object.values(state.steps).filter((x) => x!.status === "done").length).toBeLessThan(8);
  return state.steps[step]!.status;
}

async function expectConverged(cwd: string, identity: string, ns: string) {
  const { subscriptionId: subscription, resourceGroup, clusterName: cluster } = sb.info;
  const arm = await armView(sb.dir, { subscription, resourceGroup, cluster, identity, scope: vault });
  expect(arm.cluster.oidcIssuerProfile?.enabled).toBe(true);
  expect(arm.cluster.securityProfile?.workloadIdentity?.enabled).toBe(true);
  expect(arm.credentials).toHaveLength(1);
  expect(arm.credentials[0]).toMatchObject({ issuer: arm.cluster.oidcIssuerProfile!.issuerURL, subject: `system:serviceaccount:${ns}:sa-app` });
  expect(arm.assignments).toHaveLength(1);
  const state = readInitState(join(cwd, ".aks-wi", cluster, "state.json"))!;
  expect(Object.values(state.steps).map((s) => s!.status)).toEqual(Array(8).fill("done"));
}

describe("aks-wi init killed mid-step, then re-run", () => {
  it("SIGKILL during the cluster update: the re-run waits for it and converges", async () => {
    const cwd = tempDir("aks-wi-kill-cluster-");
    // The update takes 4 s: 0.5 s in, the run is certainly still inside it.
    expect(await killDuring("cluster", initArgs("id-kill-a", "kill-a"), cwd, 500)).toBe("pending");
    const r = await runCli(initArgs("id-kill-a", "kill-a"), { cwd });
    expect(r.stderr).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    await expectConverged(cwd, "id-kill-a", "kill-a");
    // A third run changes nothing.
    const again = await runCli(initArgs("id-kill-a", "kill-a"), { cwd });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("Nothing to change.");
  }, 120_000);

  it("SIGKILL during the role assignment: the re-run converges without a duplicate", async () => {
    const cwd = tempDir("aks-wi-kill-role-");
    // The worst moment: ARM has stored the assignment, but its PUT has not answered, so the state
    // file still says the step is pending and the re-run must find it rather than add another.
    const assignmentStored = () => {
      const id = Object.values(sb.sandbox.world.state.identities).find((i) => i.name === "id-kill-b");
      return !!id && Object.values(sb.sandbox.world.state.roleAssignments).some((a) => a.principalId === id.principalId);
    };
    expect(await killDuring("roleAssignment", initArgs("id-kill-b", "kill-b", true), cwd, 0, assignmentStored)).toBe("pending");
    const r = await runCli(initArgs("id-kill-b", "kill-b", true), { cwd });
    expect(r.code).toBe(0);
    await expectConverged(cwd, "id-kill-b", "kill-b");
    const again = await runCli(initArgs("id-kill-b", "kill-b", true), { cwd });
    expect(again.code).toBe(0);
    await expectConverged(cwd, "id-kill-b", "kill-b");
  }, 120_000);

  it("SIGKILL at seeded random moments of the concurrent apply, five times over: the last run converges with no duplicates", async () => {
    const cwd = tempDir("aks-wi-kill-random-");
    // A small LCG: the same moments on every run of the test, spread over the whole apply (the
    // cluster update takes 4 s here; the identity, service account and role run beside it).
    let seed = 20261201;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const moments: number[] = [];
    for (let i = 0; i < 5; i++) {
      const ms = Math.round(150 + next() * 1500);
      moments.push(ms);
      const child = startCli(initArgs("id-kill-r", "kill-r", true), { cwd });
      await new Promise((r) => setTimeout(r, ms));
      child.kill("SIGKILL");
      await child.result;
    }
    const r = await runCli(initArgs("id-kill-r", "kill-r", true), { cwd });
    expect(r.stderr, `killed at ${moments.join(", ")} ms`).not.toMatch(/error|warning/i);
    expect(r.code).toBe(0);
    await expectConverged(cwd, "id-kill-r", "kill-r");
  }, 180_000);

  it("Ctrl-C (SIGINT) during the role assignment: exit 130 saying how to resume; the re-run converges", async () => {
    const cwd = tempDir("aks-wi-int-role-");
    const statePath = join(cwd, ".aks-wi", sb.info.clusterName, "state.json");
    const child = startCli(initArgs("id-int-c", "int-c"), { cwd });
    await waitFor("the role step to start", () => readInitState(statePath)?.steps.roleAssignment?.status === "pending", 60_000, 5);
    child.kill("SIGINT");
    const r = await child.result;
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/^cancelled \(Ctrl-C\): the state is saved after every step; re-run the same command to resume$/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(readInitState(statePath)!.steps.roleAssignment!.status).toBe("pending");
    const again = await runCli(initArgs("id-int-c", "int-c"), { cwd });
    expect(again.code).toBe(0);
    await expectConverged(cwd, "id-int-c", "int-c");
  }, 120_000);
});
