// A pod is Pending (ContainerCreating) until the latency profile's podStartMs has passed: logs and
// exec answer as the real API does for a container that has not started, then work once Running.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

let h: KubeHarness;
const kubectl = (args: string) => h.kubectl(args);

beforeAll(async () => {
  h = await startKubeHarness({ podStartMs: 1500 });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe("pod start-up", () => {
  it("is Pending/ContainerCreating, then Running after podStartMs", async () => {
    expect((await kubectl("run slow --image=busybox:1.36")).code).toBe(0);
    expect((await kubectl("get pod slow")).stdout).toMatch(/slow\s+0\/1\s+ContainerCreating\s+0/);
    const logs = await kubectl("logs slow");
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain(`container "slow" in pod "slow" is waiting to start: ContainerCreating`);
    const ex = await kubectl("exec slow -- env");
    expect(ex.code).toBe(1);
    expect(ex.stderr).toContain(`container not found ("slow")`);
    const waited = await kubectl("wait --for=condition=Ready pod/slow --timeout=15s");
    expect(waited.stdout.trim()).toBe("pod/slow condition met");
    const pod = JSON.parse((await kubectl("get pod slow -o json")).stdout);
    expect(pod.status.phase).toBe("Running");
    expect(pod.status.conditions.find((c: any) => c.type === "Ready").status).toBe("True");
    expect(pod.status.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(Date.parse(pod.status.containerStatuses[0].state.running.startedAt)).toBeGreaterThanOrEqual(Date.parse(pod.metadata.creationTimestamp));
    expect((await kubectl("exec slow -- hostname")).stdout).toBe("slow\n");
    expect((await kubectl("exec slow -c nope -- env")).stderr).toContain("container nope is not valid for pod slow");
  }, 30_000);
});
