// StatefulSets and DaemonSets through the real kubectl: ordered pods `<name>-<ordinal>` with
// stable identity labels and a ControllerRevision each, one DaemonSet pod per node pinned by node
// affinity, both made through pod admission (so the workload-identity webhook mutates them), and
// `rollout restart` + `rollout status` replacing every pod from the new template, as kubectl
// 1.32 reads it. Pods take a moment to start, so rollout status really waits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

let h: KubeHarness;
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const RESTARTED = "kubectl.kubernetes.io/restartedAt";

const kubectl = (args: string, input?: string) => h.kubectl(args, input);
const json = async (args: string) => JSON.parse((await kubectl(`${args} -o json`)).stdout);
const podsOf = async (app: string): Promise<any[]> => (await json(`get pods -l app=${app}`)).items;
const envOf = (p: any) => Object.fromEntries((p.spec.containers[0].env ?? []).map((e: any) => [e.name, e.value]));

const workload = (kind: "StatefulSet" | "DaemonSet", name: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: "apps/v1",
    kind,
    metadata: { name },
    spec: {
      ...extra,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, "azure.workload.identity/use": "true" } },
        spec: { serviceAccountName: "wi-sa", containers: [{ name: "main", image: "nginx:1.27" }] },
      },
    },
  });

beforeAll(async () => {
  h = await startKubeHarness({ podStartMs: 400 });
  h.enableWorkloadIdentity();
  await kubectl("create serviceaccount wi-sa");
  await kubectl(`annotate serviceaccount wi-sa azure.workload.identity/client-id=${CLIENT_ID}`);
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe("StatefulSet → Pods", () => {
  let firstUids: string[] = [];

  it("rolls out pods db-0, db-1, db-2 in order, each mutated by the webhook, with a ControllerRevision", async () => {
    expect((await kubectl("apply -f -", workload("StatefulSet", "db", { replicas: 3, serviceName: "db" }))).stdout.trim()).toBe("statefulset.apps/db created");
    const status = await kubectl("rollout status statefulset/db --timeout=30s");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain("Waiting for 3 pods to be ready...");
    expect(status.stdout.trim().split("\n").at(-1)).toBe("partitioned roll out complete: 3 new pods have been updated...");

    const sts = await json("get statefulset db");
    expect(sts.spec).toMatchObject({ podManagementPolicy: "OrderedReady", updateStrategy: { type: "RollingUpdate", rollingUpdate: { partition: 0 } } });
    const revs = (await json("get controllerrevisions")).items.filter((r: any) => r.metadata.ownerReferences?.[0]?.name === "db");
    expect(revs).toHaveLength(1);
    expect(revs[0].revision).toBe(1);
    expect(sts.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      currentRevision: revs[0].metadata.name,
      updateRevision: revs[0].metadata.name,
    });
    const pods = (await podsOf("db")).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    expect(pods.map((p) => p.metadata.name)).toEqual(["db-0", "db-1", "db-2"]);
    // OrderedReady: each pod made only once the one before it was Running
    const created = pods.map((p) => Date.parse(p.metadata.creationTimestamp));
    expect(created[1]).toBeGreaterThanOrEqual(created[0]!);
    for (const [i, p] of pods.entries()) {
      expect(p.metadata.labels).toMatchObject({
        "controller-revision-hash": revs[0].metadata.name,
        "statefulset.kubernetes.io/pod-name": `db-${i}`,
        "apps.kubernetes.io/pod-index": String(i),
      });
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: "apps/v1", kind: "StatefulSet", name: "db", uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(p.spec).toMatchObject({ hostname: `db-${i}`, subdomain: "db", serviceAccountName: "wi-sa" });
      expect(envOf(p)).toMatchObject({ AZURE_CLIENT_ID: CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" });
    }
    firstUids = pods.map((p) => p.metadata.uid);
    expect((await kubectl("get sts db")).stdout).toMatch(/^NAME\s+READY\s+AGE\ndb\s+3\/3\s+/);
  }, 60_000);

  it("rollout restart replaces every pod, highest ordinal first, at a second revision", async () => {
    expect((await kubectl("rollout restart statefulset/db")).stdout.trim()).toBe("statefulset.apps/db restarted");
    const status = await kubectl("rollout status statefulset/db --timeout=30s");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.trim().split("\n").at(-1)).toBe("partitioned roll out complete: 3 new pods have been updated...");
    const sts = await json("get statefulset db");
    const at = sts.spec.template.metadata.annotations[RESTARTED];
    expect(at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sts.status.currentRevision).toBe(sts.status.updateRevision);
    const pods = await podsOf("db");
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(firstUids).not.toContain(p.metadata.uid);
      expect(p.metadata.annotations[RESTARTED]).toBe(at);
      expect(p.metadata.labels["controller-revision-hash"]).toBe(sts.status.updateRevision);
    }
    const deletes = (await json("get events --field-selector involvedObject.name=db,reason=SuccessfulDelete")).items.map((e: any) => e.message);
    expect(deletes).toEqual([
      "delete Pod db-2 in StatefulSet db successful",
      "delete Pod db-1 in StatefulSet db successful",
      "delete Pod db-0 in StatefulSet db successful",
    ]);
    expect((await kubectl("rollout history statefulset/db")).stdout).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
  }, 60_000);

  it("scales down from the highest ordinal, and deleting it deletes its pods and revisions", async () => {
    expect((await kubectl("scale statefulset/db --replicas=1")).code).toBe(0);
    expect((await kubectl("rollout status statefulset/db --timeout=30s")).code).toBe(0);
    expect((await podsOf("db")).map((p) => p.metadata.name)).toEqual(["db-0"]);
    await kubectl("delete statefulset db");
    expect(await podsOf("db")).toEqual([]);
    expect((await json("get controllerrevisions")).items.filter((r: any) => r.metadata.name.startsWith("db-"))).toEqual([]);
  }, 60_000);
});

describe("DaemonSet → Pods", () => {
  it("runs one mutated pod on the node, and rollout restart replaces it", async () => {
    expect((await kubectl("apply -f -", workload("DaemonSet", "agent"))).stdout.trim()).toBe("daemonset.apps/agent created");
    const status = await kubectl("rollout status daemonset/agent --timeout=30s");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Waiting for daemon set "agent" rollout to finish: 0 of 1 updated pods are available...');
    expect(status.stdout.trim().split("\n").at(-1)).toBe('daemon set "agent" successfully rolled out');
    const ds = await json("get daemonset agent");
    expect(ds.spec.updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.status).toMatchObject({ desiredNumberScheduled: 1, currentNumberScheduled: 1, numberReady: 1, updatedNumberScheduled: 1, numberAvailable: 1 });
    const [first, ...more] = await podsOf("agent");
    expect(more).toEqual([]);
    expect(first.metadata.labels["pod-template-generation"]).toBe("1");
    expect(first.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0]).toMatchObject({
      key: "metadata.name",
      operator: "In",
    });
    expect(envOf(first)).toMatchObject({ AZURE_CLIENT_ID: CLIENT_ID });

    expect((await kubectl("rollout restart daemonset/agent")).stdout.trim()).toBe("daemonset.apps/agent restarted");
    const again = await kubectl("rollout status daemonset/agent --timeout=30s");
    expect(again.code, again.stderr).toBe(0);
    const after = await podsOf("agent");
    expect(after).toHaveLength(1);
    expect(after[0].metadata.uid).not.toBe(first.metadata.uid);
    expect(after[0].metadata.labels["pod-template-generation"]).toBe("2");
    expect(after[0].metadata.annotations[RESTARTED]).toMatch(/^\d{4}-/);
    expect((await kubectl("get ds agent")).stdout).toMatch(
      /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+1\s+1\s+1\s+1\s+1\s+<none>/,
    );
  }, 60_000);
});
