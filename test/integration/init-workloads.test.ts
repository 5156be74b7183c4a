// Acceptance of `aks-wi init --workload` on the sandbox, with the real kubectl: a Deployment and a
// StatefulSet applied by hand on the default service account are wired by init (the label and
// serviceAccountName on the pod template, kubectl's restartedAt annotation) and their new pods
// carry the webhook's env; a second run plans nothing and writes nothing; a workload running as
// another service account is refused without --overwrite (exit 2, nothing changed) and switched
// with it; pods that predate the annotation are only restarted; a DaemonSet and a CronJob's job
// template are wired too; a bare Job is refused in the plan.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, writeFingerprint } from "../helpers/init-cli.harness.js";

const LABEL = "azure.workload.identity/use";
const RESTARTED = "kubectl.kubernetes.io/restartedAt";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
const kubectl = (...args: string[]) => kubectlJson(sb.info.kubeconfig, args);
const base = () => [
  "init",
  "--sandbox",
  "--sandbox-dir",
  sb.dir,
  "--yes",
  "--identity",
  "id-wl",
  "--namespace",
  "wl",
  "--service-account",
  "sa-wl",
  "--no-test-pod",
];

function manifest(kind: "Deployment" | "StatefulSet", name: string, serviceAccountName?: string, labelled = false): string {
  const path = join(cwd, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: "apps/v1",
      kind,
      metadata: { name, namespace: "wl" },
      spec: {
        replicas: 2,
        ...(kind === "StatefulSet" ? { serviceName: name } : {}),
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name, ...(labelled ? { [LABEL]: "true" } : {}) } },
          spec: { ...(serviceAccountName ? { serviceAccountName } : {}), containers: [{ name: "main", image: "nginx:1.27" }] },
        },
      },
    }),
  );
  return path;
}

const envOf = (pod: any) => Object.fromEntries((pod.spec.containers[0].env ?? []).map((e: any) => [e.name, e.value]));

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-workloads-");
  await kubectl("create", "namespace", "wl");
  await kubectl("apply", "-f", manifest("Deployment", "web"));
  await kubectl("apply", "-f", manifest("StatefulSet", "db"));
});
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi init --workload", () => {
  it("wires a Deployment and a StatefulSet on the default service account: template label and serviceAccountName, new mutated pods", async () => {
    const before = (await kubectl("get", "pods", "-n", "wl")).items.map((p: any) => p.metadata.uid);
    expect(before).toHaveLength(4);
    const r = await runCli([...base(), "--workload", "deployment/web", "--workload", "statefulset/db"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Workloads: wire deployment\/web, wire statefulset\/db \(service account wl\/sa-wl\)/);

    const sa = await kubectl("get", "serviceaccount", "sa-wl", "-n", "wl");
    const clientId = sa.metadata.annotations["azure.workload.identity/client-id"];
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    for (const [kind, name] of [
      ["deployment", "web"],
      ["statefulset", "db"],
    ]) {
      const w = await kubectl("get", kind!, name!, "-n", "wl");
      expect(w.spec.template.metadata.labels).toEqual({ app: name, [LABEL]: "true" });
      expect(w.spec.template.spec.serviceAccountName).toBe("sa-wl");
      expect(w.spec.template.metadata.annotations[RESTARTED]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      // nothing else of the workload was touched
      expect(w.metadata.labels ?? {}).not.toHaveProperty(LABEL);
      expect(w.spec.template.spec.containers).toMatchObject([{ name: "main", image: "nginx:1.27" }]);
      const pods = (await kubectl("get", "pods", "-n", "wl", "-l", `app=${name}`)).items;
      expect(pods).toHaveLength(2);
      for (const p of pods) {
        expect(before).not.toContain(p.metadata.uid);
        expect(p.spec.serviceAccountName).toBe("sa-wl");
        expect(envOf(p)).toMatchObject({ AZURE_CLIENT_ID: clientId, AZURE_FEDERATED_TOKEN_FILE: "/var/run/secrets/azure/tokens/azure-identity-token" });
      }
    }
  });

  it("a second run plans nothing and writes nothing", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await runCli([...base(), "--workload", "deployment/web", "--workload", "statefulset/db"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toContain("Nothing to change.");
    expect(r.stdout + r.stderr).toMatch(/Workloads: deployment\/web, statefulset\/db already wired to wl\/sa-wl/);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("a workload running as another service account: exit 2 and nothing changed without --overwrite, switched with it", async () => {
    await kubectl("create", "serviceaccount", "payments", "-n", "wl");
    await kubectl("apply", "-f", manifest("Deployment", "pay", "payments"));
    const before = writeFingerprint(sb.dir);
    const refused = await runCli([...base(), "--workload", "deployment/pay"], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/deployment\/pay in wl runs as another service account \(payments\), not sa-wl/);
    expect(refused.stderr).toMatch(/--overwrite/);
    expect(writeFingerprint(sb.dir)).toBe(before);
    expect((await kubectl("get", "deployment", "pay", "-n", "wl")).spec.template.spec.serviceAccountName).toBe("payments");

    const r = await runCli([...base(), "--workload", "deployment/pay", "--overwrite"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const pay = await kubectl("get", "deployment", "pay", "-n", "wl");
    expect(pay.spec.template.spec.serviceAccountName).toBe("sa-wl");
    for (const p of (await kubectl("get", "pods", "-n", "wl", "-l", "app=pay")).items) expect(envOf(p)).toHaveProperty("AZURE_FEDERATED_TOKEN_FILE");
  });

  it("pods of a workload wired by hand before the annotation: status names the drift, init only restarts them", async () => {
    const here = tempDir("aks-wi-workloads-legacy-");
    await kubectl("create", "serviceaccount", "sa-legacy", "-n", "wl");
    await kubectl("apply", "-f", manifest("Deployment", "legacy", "sa-legacy", true));
    const old = (await kubectl("get", "pods", "-n", "wl", "-l", "app=legacy")).items;
    expect(old).toHaveLength(2);
    const args = ["--sandbox", "--sandbox-dir", sb.dir, "--identity", "id-legacy", "--namespace", "wl", "--service-account", "sa-legacy", "--no-test-pod"];
    const status = await runCli(["status", ...args, "--workload", "deployment/legacy"], { cwd: here });
    expect(status.code).toBe(6);
    expect(status.stdout).toMatch(/Workloads\s+drift\n\s+- pods of deployment\/legacy predate the annotation/);

    const r = await runCli(["init", "--yes", ...args, "--workload", "deployment/legacy"], { cwd: here });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Workloads: restart deployment\/legacy \(service account wl\/sa-legacy\)/);
    const w = await kubectl("get", "deployment", "legacy", "-n", "wl");
    expect(w.spec.template.metadata.labels).toEqual({ app: "legacy", [LABEL]: "true" });
    expect(w.spec.template.spec.serviceAccountName).toBe("sa-legacy");
    expect(w.spec.template.metadata.annotations[RESTARTED]).toBeTruthy();
    const clientId = (await kubectl("get", "serviceaccount", "sa-legacy", "-n", "wl")).metadata.annotations["azure.workload.identity/client-id"];
    const pods = (await kubectl("get", "pods", "-n", "wl", "-l", "app=legacy")).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(old.map((o: any) => o.metadata.uid)).not.toContain(p.metadata.uid);
      expect(envOf(p).AZURE_CLIENT_ID).toBe(clientId);
    }
    expect((await runCli(["status", ...args, "--workload", "deployment/legacy"], { cwd: here })).code).toBe(0);
  });

  it("wires a DaemonSet (restarted, its new pod mutated) and a CronJob's job template (no restart: its next job uses it)", async () => {
    const template = { metadata: { labels: { app: "agent" } }, spec: { containers: [{ name: "main", image: "nginx:1.27" }] } };
    const objects = {
      agent: {
        apiVersion: "apps/v1",
        kind: "DaemonSet",
        metadata: { name: "agent", namespace: "wl" },
        spec: { selector: { matchLabels: { app: "agent" } }, template },
      },
      nightly: {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "nightly", namespace: "wl" },
        spec: {
          schedule: "0 3 * * *",
          jobTemplate: { spec: { template: { spec: { restartPolicy: "OnFailure", containers: [{ name: "job", image: "busybox" }] } } } },
        },
      },
    };
    for (const [name, obj] of Object.entries(objects)) {
      writeFileSync(join(cwd, `${name}.json`), JSON.stringify(obj));
      await kubectl("apply", "-f", join(cwd, `${name}.json`));
    }
    const old = (await kubectl("get", "pods", "-n", "wl", "-l", "app=agent")).items;
    expect(old).toHaveLength(1);
    const r = await runCli([...base(), "--workload", "daemonset/agent", "--workload", "cronjob/nightly"], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const ds = await kubectl("get", "daemonset", "agent", "-n", "wl");
    expect(ds.spec.template.metadata.labels).toEqual({ app: "agent", [LABEL]: "true" });
    expect(ds.spec.template.spec.serviceAccountName).toBe("sa-wl");
    const pods = (await kubectl("get", "pods", "-n", "wl", "-l", "app=agent")).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.uid).not.toBe(old[0].metadata.uid);
    expect(envOf(pods[0])).toHaveProperty("AZURE_FEDERATED_TOKEN_FILE");
    const cj = await kubectl("get", "cronjob", "nightly", "-n", "wl");
    expect(cj.spec.schedule).toBe("0 3 * * *");
    expect(cj.spec.jobTemplate.spec.template.metadata.labels).toEqual({ [LABEL]: "true" });
    expect(cj.spec.jobTemplate.spec.template.metadata.annotations ?? {}).not.toHaveProperty(RESTARTED);
    expect(cj.spec.jobTemplate.spec.template.spec).toMatchObject({
      serviceAccountName: "sa-wl",
      restartPolicy: "OnFailure",
      containers: [{ name: "job", image: "busybox" }],
    });
    const again = await runCli([...base(), "--workload", "daemonset/agent", "--workload", "cronjob/nightly"], { cwd });
    expect(again.stdout + again.stderr).toContain("Nothing to change.");
  });

  it("refuses a bare Job in the plan, naming why and what to do (exit 2)", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await runCli([...base(), "--workload", "job/migrate"], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/a Job's pod template cannot be changed once the Job exists/);
    expect(r.stderr).toContain("https://kubernetes.io/docs/concepts/workloads/controllers/job/");
    expect(writeFingerprint(sb.dir)).toBe(before);
  });
});
