// Deployments through the real kubectl: the deployment controller's ReplicaSet (named and
// labelled by the pod-template hash), the ReplicaSet controller's pods — created through pod
// admission, so the workload-identity webhook mutates them — `rollout status`, `rollout restart`
// (new pods, new ReplicaSet, the old one at zero), `scale`, a refused pod create (FailedCreate,
// retried) and the garbage collector. Pods take a moment to start, so rollout status really waits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

let h: KubeHarness;
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";
const SAFE = "[bcdfghjklmnpqrstvwxz2456789]";

const kubectl = (args: string, input?: string) => h.kubectl(args, input);
const json = async (args: string) => JSON.parse((await kubectl(`${args} -o json`)).stdout);

const deployment = (name: string, opts: { replicas?: number; sa?: string; labelled?: boolean } = {}) =>
  JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, ...(opts.labelled === false ? {} : { "azure.workload.identity/use": "true" }) } },
        spec: { serviceAccountName: opts.sa ?? "wi-sa", containers: [{ name: "main", image: "nginx:1.27" }] },
      },
    },
  });

async function podsOf(app: string): Promise<any[]> {
  return (await json(`get pods -l app=${app}`)).items;
}

beforeAll(async () => {
  h = await startKubeHarness({ podStartMs: 600 });
  h.enableWorkloadIdentity();
  await kubectl("create serviceaccount wi-sa");
  await kubectl(`annotate serviceaccount wi-sa azure.workload.identity/client-id=${CLIENT_ID}`);
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe("Deployment → ReplicaSet → Pods", () => {
  let firstPods: string[] = [];
  let firstRs = "";

  it("a Deployment applied with kubectl rolls out to Running pods the webhook mutated", async () => {
    expect((await kubectl("apply -f -", deployment("web"))).stdout.trim()).toBe("deployment.apps/web created");
    const status = await kubectl("rollout status deployment/web --timeout=30s");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Waiting for deployment "web" rollout to finish: 0 of 2 updated replicas are available...');
    expect(status.stdout.trim().split("\n").at(-1)).toBe(`deployment "web" successfully rolled out`);

    const rss = (await json("get rs -l app=web")).items;
    expect(rss).toHaveLength(1);
    const rs = rss[0];
    const hash = rs.metadata.labels["pod-template-hash"];
    expect(hash).toMatch(new RegExp(`^${SAFE}{1,10}$`));
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(rs.spec.selector.matchLabels).toEqual({ app: "web", "pod-template-hash": hash });
    expect(rs.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    const dep = await json("get deployment web");
    expect(rs.metadata.ownerReferences).toEqual([
      { apiVersion: "apps/v1", kind: "Deployment", name: "web", uid: dep.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(rs.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1 });

    expect(dep.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("1");
    expect(dep.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } });
    expect(dep.status).toMatchObject({ observedGeneration: dep.metadata.generation, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(dep.status.conditions.map((c: any) => [c.type, c.status, c.reason])).toEqual(
      expect.arrayContaining([
        ["Available", "True", "MinimumReplicasAvailable"],
        ["Progressing", "True", "NewReplicaSetAvailable"],
      ]),
    );
    expect(dep.status.conditions.find((c: any) => c.type === "Progressing").message).toBe(`ReplicaSet "${rs.metadata.name}" has successfully progressed.`);

    const pods = await podsOf("web");
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-${SAFE}{5}$`));
      expect(p.metadata.labels["pod-template-hash"]).toBe(hash);
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: "apps/v1", kind: "ReplicaSet", name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
      expect(p.status.phase).toBe("Running");
      const env = Object.fromEntries(p.spec.containers[0].env.map((e: any) => [e.name, e.value]));
      expect(env).toMatchObject({
        AZURE_CLIENT_ID: CLIENT_ID,
        AZURE_TENANT_ID: h.ctx.info.tenantId,
        AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token",
      });
      const token = p.spec.volumes.find((v: any) => v.name === "azure-identity-token");
      expect(token.projected.sources[0].serviceAccountToken).toEqual({
        audience: "api://AzureADTokenExchange",
        expirationSeconds: 3600,
        path: "azure-identity-token",
      });
    }
    const events = (await json(`get events --field-selector involvedObject.name=${rs.metadata.name}`)).items;
    expect(events.map((e: any) => e.reason)).toEqual(["SuccessfulCreate", "SuccessfulCreate"]);
    firstPods = pods.map((p) => p.metadata.name);
    firstRs = rs.metadata.name;
  }, 60_000);

  it("rollout restart replaces every pod with new ones from a new ReplicaSet, and leaves the old one at zero", async () => {
    const r = await kubectl("rollout restart deployment/web");
    expect(r.stdout.trim()).toBe("deployment.apps/web restarted");
    const status = await kubectl("rollout status deployment/web --timeout=30s");
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.trim().split("\n").at(-1)).toBe(`deployment "web" successfully rolled out`);

    const dep = await json("get deployment web");
    expect(dep.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(dep.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    expect(dep.status).toMatchObject({ observedGeneration: dep.metadata.generation, replicas: 2, updatedReplicas: 2, availableReplicas: 2 });
    const rss = (await json("get rs -l app=web")).items;
    const fresh = rss.find((x: any) => x.metadata.name !== firstRs);
    expect(rss.find((x: any) => x.metadata.name === firstRs).spec.replicas).toBe(0);
    expect(fresh.metadata.annotations["deployment.kubernetes.io/revision"]).toBe("2");
    const pods = await podsOf("web");
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(firstPods).not.toContain(p.metadata.name);
      expect(p.metadata.name.startsWith(`${fresh.metadata.name}-`)).toBe(true);
      expect(p.metadata.annotations["kubectl.kubernetes.io/restartedAt"]).toBe(dep.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"]);
      expect(p.spec.containers[0].env.map((e: any) => e.name)).toContain("AZURE_CLIENT_ID");
    }
    const scaling = (await json("get events --field-selector involvedObject.name=web,reason=ScalingReplicaSet")).items.map((e: any) => e.message);
    expect(scaling).toEqual([
      `Scaled up replica set ${firstRs} to 2`,
      `Scaled up replica set ${fresh.metadata.name} to 1`,
      `Scaled down replica set ${firstRs} to 1 from 2`,
      `Scaled up replica set ${fresh.metadata.name} to 2 from 1`,
      `Scaled down replica set ${firstRs} to 0 from 1`,
    ]);
  }, 60_000);

  it("kubectl scale sets the pod count both ways", async () => {
    expect((await kubectl("scale deployment/web --replicas=3")).stdout.trim()).toBe("deployment.apps/web scaled");
    expect((await kubectl("rollout status deployment/web --timeout=30s")).code).toBe(0);
    expect((await podsOf("web")).filter((p) => p.status.phase === "Running")).toHaveLength(3);
    await kubectl("scale deployment/web --replicas=1");
    expect(await podsOf("web")).toHaveLength(1);
    const table = await kubectl("get deployment web");
    expect(table.stdout).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+1\/1\s+1\s+1\s+\d+s\n$/);
  }, 60_000);

  it("a pod the API refuses is a FailedCreate event and a ReplicaFailure condition, retried until it can be made", async () => {
    await kubectl("apply -f -", deployment("late", { replicas: 1, sa: "late-sa" }));
    const rs = (await json("get rs -l app=late")).items[0];
    expect(await podsOf("late")).toEqual([]);
    const failed = (await json(`get events --field-selector involvedObject.name=${rs.metadata.name},reason=FailedCreate`)).items;
    expect(failed[0].type).toBe("Warning");
    expect(failed[0].message).toBe(
      `Error creating: pods "${rs.metadata.name}-" is forbidden: error looking up service account default/late-sa: serviceaccount "late-sa" not found`,
    );
    expect((await json(`get rs ${rs.metadata.name}`)).status.conditions[0]).toMatchObject({ type: "ReplicaFailure", status: "True", reason: "FailedCreate" });
    await kubectl("create serviceaccount late-sa");
    const status = await kubectl("rollout status deployment/late --timeout=30s");
    expect(status.code, status.stderr).toBe(0);
    expect(await podsOf("late")).toHaveLength(1);
    expect((await json(`get rs ${rs.metadata.name}`)).status.conditions).toBeUndefined();
  }, 60_000);

  it("deleting a Deployment deletes its ReplicaSets and their pods", async () => {
    expect((await kubectl("delete deployment late")).code).toBe(0);
    expect((await json("get rs -l app=late")).items).toEqual([]);
    expect(await podsOf("late")).toEqual([]);
  });

  it("the webhook add-on's own Deployment has its pods in kube-system", async () => {
    const pods = (await json("get pods -n kube-system -l azure-workload-identity.io/system=true")).items;
    expect(pods.map((p: any) => p.status.phase)).toEqual(["Running", "Running"]);
    expect(pods[0].metadata.name).toMatch(new RegExp(`^azure-wi-webhook-controller-manager-${SAFE}{1,10}-${SAFE}{5}$`));
  });
});
