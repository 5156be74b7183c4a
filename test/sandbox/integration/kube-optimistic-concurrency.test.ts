// Kubernetes' optimistic concurrency through the real @kubernetes/client-node (and kubectl): a
// write that names a resourceVersion applies only to that version of the object. A merge patch,
// a strategic merge patch, a JSON patch or a replace carrying an old one is 409 Conflict with the
// Status kube-apiserver sends (apimachinery's NewConflict + OptimisticLockErrorMsg), and nothing
// changes; the current version, or none at all, goes through.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1ServiceAccount } from "@kubernetes/client-node";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

const run = promisify(execFile);
const NS = "default";
const SA = "occ-sa";

let h: KubeHarness;
let core: CoreV1Api;
let apps: AppsV1Api;

beforeAll(async () => {
  h = await startKubeHarness();
  const kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: SA } } });
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

const read = () => core.readNamespacedServiceAccount({ name: SA, namespace: NS });

/** The Status of a call that must fail, as client-node's ApiException carries it. */
async function status(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (e) {
    const err = e as { code: number; body: string };
    return { code: err.code, body: JSON.parse(err.body) };
  }
  throw new Error("expected the call to fail");
}

const conflictStatus = (resource: string, name: string, group?: string) => ({
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  reason: "Conflict",
  code: 409,
  message: `Operation cannot be fulfilled on ${resource}${group ? "." + group : ""} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  details: { name, ...(group ? { group } : {}), kind: resource },
});

function patch(body: object, strategy: PatchStrategy): Promise<V1ServiceAccount> {
  return core.patchNamespacedServiceAccount({ name: SA, namespace: NS, body }, setHeaderOptions("Content-Type", strategy));
}

describe("a write naming a resourceVersion", () => {
  it("merge patch: an old version is 409 Conflict and changes nothing; the current one goes through and bumps it", async () => {
    const v1 = await read();
    const old = v1.metadata!.resourceVersion!;
    const ok = await patch({ metadata: { resourceVersion: old, labels: { step: "1" } } }, PatchStrategy.MergePatch);
    expect(ok.metadata?.labels).toEqual({ step: "1" });
    expect(Number(ok.metadata!.resourceVersion)).toBeGreaterThan(Number(old));
    const stale = await status(patch({ metadata: { resourceVersion: old, labels: { step: "stale" } } }, PatchStrategy.MergePatch));
    expect(stale).toEqual({ code: 409, body: conflictStatus("serviceaccounts", SA) });
    const after = await read();
    expect({ labels: after.metadata?.labels, rv: after.metadata?.resourceVersion }).toEqual({ labels: { step: "1" }, rv: ok.metadata!.resourceVersion });
  });

  it("strategic merge patch: the same", async () => {
    const current = (await read()).metadata!.resourceVersion!;
    const stale = await status(
      patch({ metadata: { resourceVersion: String(Number(current) - 1), labels: { step: "smp" } } }, PatchStrategy.StrategicMergePatch),
    );
    expect(stale).toEqual({ code: 409, body: conflictStatus("serviceaccounts", SA) });
    const ok = await patch({ metadata: { resourceVersion: current, labels: { step: "smp" } } }, PatchStrategy.StrategicMergePatch);
    expect(ok.metadata?.labels).toEqual({ step: "smp" });
  });

  it("JSON patch: replacing metadata.resourceVersion with an old one is 409; with the current one it applies", async () => {
    const current = (await read()).metadata!.resourceVersion!;
    const ops = (rv: string) => [
      { op: "replace", path: "/metadata/resourceVersion", value: rv },
      { op: "add", path: "/metadata/labels/json", value: "yes" },
    ];
    const stale = await status(patch(ops("1"), PatchStrategy.JsonPatch));
    expect(stale).toEqual({ code: 409, body: conflictStatus("serviceaccounts", SA) });
    expect((await read()).metadata?.labels?.json).toBeUndefined();
    const ok = await patch(ops(current), PatchStrategy.JsonPatch);
    expect(ok.metadata?.labels?.json).toBe("yes");
  });

  it("a patch that names no version (or null) applies to whatever is current", async () => {
    const a = await patch({ metadata: { labels: { free: "1" } } }, PatchStrategy.MergePatch);
    expect(a.metadata?.labels?.free).toBe("1");
    const b = await patch({ metadata: { resourceVersion: null, labels: { free: "2" } } }, PatchStrategy.MergePatch);
    expect(b.metadata?.labels?.free).toBe("2");
  });

  it("replace (PUT): an old version is 409, the read one goes through", async () => {
    const current = await read();
    const replaced = await core.replaceNamespacedServiceAccount({
      name: SA,
      namespace: NS,
      body: { ...current, metadata: { ...current.metadata, labels: { put: "1" } } },
    });
    expect(replaced.metadata?.labels).toEqual({ put: "1" });
    const stale = await status(
      core.replaceNamespacedServiceAccount({ name: SA, namespace: NS, body: { ...current, metadata: { ...current.metadata, labels: { put: "2" } } } }),
    );
    expect(stale).toEqual({ code: 409, body: conflictStatus("serviceaccounts", SA) });
  });

  it("names the resource with its group outside the core group (deployments.apps)", async () => {
    const dep = await apps.createNamespacedDeployment({
      namespace: NS,
      body: {
        metadata: { name: "occ-web" },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: "occ-web" } },
          template: { metadata: { labels: { app: "occ-web" } }, spec: { containers: [{ name: "web", image: "nginx:1.27" }] } },
        },
      },
    });
    const stale = await status(
      apps.patchNamespacedDeployment(
        { name: "occ-web", namespace: NS, body: { metadata: { resourceVersion: String(Number(dep.metadata!.resourceVersion) - 1) }, spec: { replicas: 2 } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      ),
    );
    expect(stale).toEqual({ code: 409, body: conflictStatus("deployments", "occ-web", "apps") });
  });

  it("kubectl shows the conflict as kube-apiserver's", async () => {
    const r = await run("kubectl", [
      "--kubeconfig",
      h.kubeconfigPath,
      "patch",
      "serviceaccount",
      SA,
      "-n",
      NS,
      "--type",
      "merge",
      "-p",
      '{"metadata":{"resourceVersion":"1"}}',
    ]).then(
      () => ({ stderr: "" }),
      (e: { stderr: string }) => e,
    );
    expect(r.stderr).toBe(
      `Error from server (Conflict): Operation cannot be fulfilled on serviceaccounts "${SA}": the object has been modified; please apply your changes to the latest version and try again\n`,
    );
  });
});
