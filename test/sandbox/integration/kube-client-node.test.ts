// The real @kubernetes/client-node 1.4 against the sandbox cluster: typed CoreV1Api calls, a
// merge patch, a TokenRequest, and exec over WebSocket with its exit status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { CoreV1Api, Exec, KubeConfig, PatchStrategy, setHeaderOptions, type V1Status } from "@kubernetes/client-node";
import { decodeJwt } from "jose";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

let h: KubeHarness;
let kc: KubeConfig;
let core: CoreV1Api;
let issuer: string;

beforeAll(async () => {
  h = await startKubeHarness();
  issuer = h.enableWorkloadIdentity();
  kc = new KubeConfig();
  kc.loadFromFile(h.kubeconfigPath);
  core = kc.makeApiClient(CoreV1Api);
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

async function exec(pod: string, command: string[]): Promise<{ out: string; err: string; status: V1Status }> {
  const stdout = new PassThrough(),
    stderr = new PassThrough();
  let out = "",
    err = "";
  stdout.on("data", (d) => (out += d));
  stderr.on("data", (d) => (err += d));
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec("default", pod, "app", command, stdout, stderr, null, false, resolve).catch(reject);
  });
  return { out, err, status };
}

describe("client-node against the sandbox cluster", () => {
  it("creates, reads and merge-patches a service account; conflicts and 404s are Status errors", async () => {
    const created = await core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "app-sa" } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    await expect(core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "app-sa" } } })).rejects.toMatchObject({ code: 409 });
    const patched = await core.patchNamespacedServiceAccount(
      { name: "app-sa", namespace: "default", body: { metadata: { annotations: { "azure.workload.identity/client-id": "cid-1" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(patched.metadata?.annotations).toEqual({ "azure.workload.identity/client-id": "cid-1" });
    expect(Number(patched.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const read = await core.readNamespacedServiceAccount({ name: "app-sa", namespace: "default" });
    expect(read.metadata?.annotations?.["azure.workload.identity/client-id"]).toBe("cid-1");
    await expect(core.readNamespacedServiceAccount({ name: "nope", namespace: "default" })).rejects.toMatchObject({ code: 404 });
    await expect(core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "Bad_Name" } } })).rejects.toMatchObject({ code: 422 });
  });

  it("issues a TokenRequest from the cluster issuer", async () => {
    const tr = await core.createNamespacedServiceAccountToken({
      name: "app-sa",
      namespace: "default",
      body: { spec: { audiences: ["api://AzureADTokenExchange"], expirationSeconds: 3600 } },
    });
    const claims = decodeJwt(tr.status!.token);
    expect(claims).toMatchObject({ iss: issuer, sub: "system:serviceaccount:default:app-sa", aud: ["api://AzureADTokenExchange"] });
  });

  it("creates a labelled pod and execs in it over WebSocket with exit codes", async () => {
    const pod = await core.createNamespacedPod({
      namespace: "default",
      body: {
        metadata: { name: "app", labels: { "azure.workload.identity/use": "true" } },
        spec: { serviceAccountName: "app-sa", containers: [{ name: "app", image: "busybox:1.36" }] },
      },
    });
    expect(pod.spec?.containers[0].env?.map((e) => e.name)).toContain("AZURE_FEDERATED_TOKEN_FILE");
    const list = await core.listNamespacedPod({
      namespace: "default",
      labelSelector: "azure.workload.identity/use=true",
      fieldSelector: "status.phase=Running",
    });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(["app"]);

    const ok = await exec("app", ["sh", "-c", "printenv AZURE_CLIENT_ID && cat $AZURE_FEDERATED_TOKEN_FILE"]);
    expect(ok.status.status).toBe("Success");
    const [clientId, token] = ok.out.split("\n");
    expect(clientId).toBe("cid-1");
    expect(decodeJwt(token)).toMatchObject({ sub: "system:serviceaccount:default:app-sa", aud: ["api://AzureADTokenExchange"], iss: issuer });

    const bad = await exec("app", ["sh", "-c", "echo oops >&2; ls /nope; exit 7"]);
    expect(bad.status).toMatchObject({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "7" }] } });
    expect(bad.err).toContain("ls: /nope: No such file or directory");
  });
});
