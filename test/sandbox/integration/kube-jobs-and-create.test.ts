// Jobs, and the typed `kubectl create deployment|job|cronjob`, through the real kubectl: kubectl
// 1.32 sends those bodies as protobuf, which the sandbox decodes; a Job gets its selector from its
// own UID and `parallelism` pods labelled with it, made through pod admission (so the
// workload-identity webhook mutates them); a CronJob is stored with its defaults; a Job whose pods
// would restart forever is refused as the API server refuses it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

let h: KubeHarness;
const CLIENT_ID = "11111111-2222-3333-4444-555555555555";

const kubectl = (args: string, input?: string) => h.kubectl(args, input);
const ok = async (args: string, input?: string) => {
  const r = await kubectl(args, input);
  expect(r.code, `kubectl ${args}\n${r.stderr}`).toBe(0);
  return r.stdout;
};
const json = async (args: string) => JSON.parse(await ok(`${args} -o json`));

beforeAll(async () => {
  h = await startKubeHarness({ podStartMs: 100 });
  h.enableWorkloadIdentity();
  await ok("create serviceaccount wi-sa");
  await ok(`annotate serviceaccount wi-sa azure.workload.identity/client-id=${CLIENT_ID}`);
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe("kubectl create deployment|job|cronjob, and Jobs", () => {
  it("create deployment: the protobuf body decoded, defaults filled, its pod running", async () => {
    expect((await ok("create deployment web --image=nginx:1.27 --port=80 --replicas=2")).trim()).toBe("deployment.apps/web created");
    await ok("rollout status deployment/web --timeout=30s");
    const d = await json("get deployment web");
    expect(d.spec).toMatchObject({ replicas: 2, selector: { matchLabels: { app: "web" } } });
    // empty strings of the protobuf body are unset, so the server's defaults apply
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: "nginx",
      image: "nginx:1.27",
      imagePullPolicy: "IfNotPresent",
      ports: [{ containerPort: 80 }],
    });
    expect(d.spec.template.spec).toMatchObject({ dnsPolicy: "ClusterFirst", restartPolicy: "Always" });
    expect((await json("get pods -l app=web")).items).toHaveLength(2);
  });

  it("create job: a selector from the Job's UID, its pod labelled with it and mutated by the webhook", async () => {
    const patch = JSON.stringify({ metadata: { labels: { "azure.workload.identity/use": "true" } }, spec: { serviceAccountName: "wi-sa" } });
    // kubectl create job --dry-run=client -o json, given the label and the service account, as a user would wire a Job
    const manifest = JSON.parse(await ok("create job migrate --image=busybox:1.36 --dry-run=client -o json -- sh -c 'echo done'"));
    manifest.spec.template = { ...manifest.spec.template, ...JSON.parse(patch), spec: { ...manifest.spec.template.spec, serviceAccountName: "wi-sa" } };
    await ok("apply -f -", JSON.stringify(manifest));
    await ok("wait --for=jsonpath={.status.ready}=1 job/migrate --timeout=30s");
    const job = await json("get job migrate");
    expect(job.spec).toMatchObject({ parallelism: 1, completions: 1, backoffLimit: 6, completionMode: "NonIndexed", suspend: false });
    expect(job.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": job.metadata.uid } });
    const pods = (await json("get pods -l job-name=migrate")).items;
    expect(pods).toHaveLength(1);
    expect(pods[0].metadata.labels).toMatchObject({ "batch.kubernetes.io/job-name": "migrate", "batch.kubernetes.io/controller-uid": job.metadata.uid });
    expect(pods[0].metadata.ownerReferences[0]).toMatchObject({ kind: "Job", name: "migrate", uid: job.metadata.uid, controller: true });
    const vars = (pods[0].spec.containers[0].env ?? []).map((e: { name: string }) => e.name);
    expect(vars).toContain("AZURE_FEDERATED_TOKEN_FILE");
    expect(await ok("get jobs")).toMatch(/^NAME +STATUS +COMPLETIONS +DURATION +AGE\nmigrate +Running +0\/1 /);
    // typed create (protobuf) works too
    expect((await ok("create job hello --image=busybox:1.36 -- date")).trim()).toBe("job.batch/hello created");
  });

  it("a Job whose pods restart forever is refused; deleting a Job removes its pods", async () => {
    const bad = {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "forever" },
      spec: { template: { spec: { restartPolicy: "Always", containers: [{ name: "c", image: "busybox" }] } } },
    };
    const r = await kubectl("apply -f -", JSON.stringify(bad));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"');
    await ok("delete job hello --wait=false");
    await ok("wait --for=delete pod -l job-name=hello --timeout=30s");
  });

  it("create cronjob: stored with its defaults and its job template's", async () => {
    expect((await ok(`create cronjob nightly --image=busybox:1.36 --schedule="0 3 * * *" -- date`)).trim()).toBe("cronjob.batch/nightly created");
    const cj = await json("get cronjob nightly");
    expect(cj.spec).toMatchObject({ schedule: "0 3 * * *", concurrencyPolicy: "Allow", suspend: false });
    expect(cj.spec.jobTemplate.spec).toMatchObject({
      backoffLimit: 6,
      template: { spec: { restartPolicy: "OnFailure", containers: [{ command: ["date"] }] } },
    });
  });
});
