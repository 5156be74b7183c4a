// createKubeOps over @kubernetes/client-node against the sandbox cluster, checked with the real kubectl.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { aksTokenProvider } from "../../src/azure/kube-token.js";
import { readKubeconfig } from "../../src/kube/connect.js";
import { createKubeOps } from "../../src/kube/ops.js";
import type { KubeOps } from "../../src/core/ports.js";
import { testPodManifest } from "../../src/init/steps/test-pod.js";
import { startTestSandbox } from "../helpers/sandbox.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let kube: KubeOps;
// Asynchronous: a synchronous spawn would block the in-process sandbox that kubectl talks to.
const kubectl = async (...args: string[]) => (await promisify(execFile)("kubectl", ["--kubeconfig", sb.info.kubeconfig, ...args], { encoding: "utf8" })).stdout;

beforeAll(async () => {
  sb = await startTestSandbox();
  kube = createKubeOps(readKubeconfig(sb.info.kubeconfig), undefined, { podPollMs: 50 });
});
afterAll(async () => {
  await sb?.stop();
});

describe("KubeOps on the sandbox", () => {
  it("lists, checks and creates namespaces (a repeat create is harmless)", async () => {
    expect(await kube.listNamespaces()).toContain("default");
    expect(await kube.namespaceExists("ops-ns")).toBe(false);
    await kube.createNamespace("ops-ns");
    await kube.createNamespace("ops-ns");
    expect(await kube.namespaceExists("ops-ns")).toBe(true);
    expect((await kubectl("get", "namespace", "ops-ns", "-o", "name")).trim()).toBe("namespace/ops-ns");
  });

  it("creates a service account and merge-patches only its annotations", async () => {
    const sa = await kube.createServiceAccount("ops-ns", "sa-one", { "azure.workload.identity/client-id": "old" });
    expect(sa.uid).toBeTruthy();
    await kubectl("-n", "ops-ns", "label", "serviceaccount", "sa-one", "team=payments");
    await kubectl("-n", "ops-ns", "annotate", "serviceaccount", "sa-one", "example.com/keep=yes");
    const patched = await kube.mergeAnnotations("ops-ns", "sa-one", { "azure.workload.identity/client-id": "new", "azure.workload.identity/tenant-id": "t" });
    expect(patched.uid).toBe(sa.uid);
    const json = JSON.parse(await kubectl("-n", "ops-ns", "get", "serviceaccount", "sa-one", "-o", "json"));
    expect(json.metadata.labels).toEqual({ team: "payments" });
    expect(json.metadata.annotations).toMatchObject({
      "example.com/keep": "yes",
      "azure.workload.identity/client-id": "new",
      "azure.workload.identity/tenant-id": "t",
    });
    const removed = await kube.mergeAnnotations("ops-ns", "sa-one", { "azure.workload.identity/tenant-id": null });
    expect(removed.annotations["azure.workload.identity/tenant-id"]).toBeUndefined();
    expect((await kube.listServiceAccounts("ops-ns")).map((s) => s.name)).toContain("sa-one");
    expect(await kube.getServiceAccount("ops-ns", "nope")).toBeUndefined();
  });

  it("creates a labelled pod, waits for Running, deletes it", async () => {
    const pod = await kube.createPod(testPodManifest("ops-ns", "pod-one", "sa-one"));
    expect(pod.labels["azure.workload.identity/use"]).toBe("true");
    const running = await kube.waitForPodRunning("ops-ns", "pod-one", 30_000);
    expect(running?.phase).toBe("Running");
    expect(await kubectl("-n", "ops-ns", "get", "pod", "pod-one", "-o", "jsonpath={.status.phase}")).toBe("Running");
    await kube.deletePod("ops-ns", "pod-one");
    expect(await kube.getPod("ops-ns", "pod-one")).toBeUndefined();
  });

  it("turns API errors into one-line messages", async () => {
    await expect(kube.createServiceAccount("no-such-ns", "sa", {})).rejects.toThrow(/creating service account no-such-ns\/sa: .*not found/);
  });

  it("reaches an Entra-integrated cluster with a token from the Azure credential instead of kubelogin", async () => {
    const profile = sandboxCloud(sb.dir);
    const doc = parse(readFileSync(sb.info.kubeconfig, "utf8"));
    // What ARM hands out for an Entra cluster: a user that needs the kubelogin exec plugin.
    doc.users = doc.users.map((u: { name: string }) => ({
      name: u.name,
      user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "kubelogin-not-installed", args: ["get-token"] } },
    }));
    const viaToken = createKubeOps(stringify(doc), undefined, { token: aksTokenProvider(profile) });
    expect(await viaToken.listNamespaces()).toContain("default");
    // Sanity: the same kubeconfig without the provider cannot authenticate.
    await expect(createKubeOps(stringify(doc)).listNamespaces()).rejects.toThrow();
  });
});
