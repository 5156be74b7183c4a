// The workload-identity webhook through the real kubectl: only after workload identity is enabled,
// only for labelled pods, with annotations honoured, and not once it is taken down.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startKubeHarness, type KubeHarness } from "./kube.harness.js";

let h: KubeHarness;

const kubectl = (args: string, input?: string) => h.kubectl(args, input);

const pod = (name: string, opts: { labelled?: boolean; annotations?: Record<string, string>; containers?: string[] } = {}) =>
  JSON.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      ...(opts.labelled === false ? {} : { labels: { "azure.workload.identity/use": "true" } }),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
    },
    spec: { serviceAccountName: "wi-sa", containers: (opts.containers ?? ["app"]).map((n) => ({ name: n, image: "busybox:1.36" })) },
  });

async function envOf(name: string, container = "app"): Promise<string[]> {
  const r = await kubectl(`get pod ${name} -o json`);
  const p = JSON.parse(r.stdout);
  return (p.spec.containers.find((c: any) => c.name === container).env ?? []).map((e: any) => e.name);
}

beforeAll(async () => {
  h = await startKubeHarness();
  await kubectl("create serviceaccount wi-sa");
  await kubectl("annotate serviceaccount wi-sa azure.workload.identity/client-id=11111111-2222-3333-4444-555555555555");
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

describe("workload identity webhook", () => {
  it("does nothing before workload identity is enabled, and pods created then stay unmutated", async () => {
    expect((await kubectl("get mutatingwebhookconfigurations -o name")).stdout).toBe("");
    expect((await kubectl("apply -f -", pod("before"))).code).toBe(0);
    h.enableWorkloadIdentity();
    expect((await kubectl("get mutatingwebhookconfigurations -o name")).stdout.trim()).toBe(
      "mutatingwebhookconfiguration.admissionregistration.k8s.io/azure-wi-webhook-mutating-webhook-configuration",
    );
    expect(await envOf("before")).toEqual([]);
  }, 30_000);

  it("mutates labelled pods only, honouring skip-containers and the expiration annotation", async () => {
    expect((await kubectl("apply -f -", pod("unlabelled", { labelled: false }))).code).toBe(0);
    expect(await envOf("unlabelled")).toEqual([]);
    const r = await kubectl(
      "apply -f -",
      pod("two", {
        containers: ["app", "sidecar"],
        annotations: { "azure.workload.identity/skip-containers": "sidecar", "azure.workload.identity/service-account-token-expiration": "86400" },
      }),
    );
    expect(r.stderr).toBe("");
    expect(await envOf("two", "app")).toEqual(["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"]);
    expect(await envOf("two", "sidecar")).toEqual([]);
    const spec = JSON.parse((await kubectl("get pod two -o json")).stdout).spec;
    const vol = spec.volumes.find((v: any) => v.name === "azure-identity-token");
    expect(vol.projected.sources[0].serviceAccountToken).toEqual({
      audience: "api://AzureADTokenExchange",
      expirationSeconds: 86400,
      path: "azure-identity-token",
    });
  }, 30_000);

  it("rejects an out-of-range token expiration", async () => {
    const r = await kubectl("apply -f -", pod("badexp", { annotations: { "azure.workload.identity/service-account-token-expiration": "100" } }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`admission webhook "mutation.azure-workload-identity.io" denied the request`);
  });

  it("fails labelled pods while the webhook has no endpoints, and stops mutating once its configuration is deleted", async () => {
    let r = await kubectl("scale deployment azure-wi-webhook-controller-manager -n kube-system --replicas=0");
    expect(r.stdout.trim()).toBe("deployment.apps/azure-wi-webhook-controller-manager scaled");
    expect((await kubectl("get endpoints azure-wi-webhook-webhook-service -n kube-system -o jsonpath={.subsets}")).stdout).toBe("[]");
    r = await kubectl("apply -f -", pod("down"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`failed calling webhook "mutation.azure-workload-identity.io"`);
    expect(r.stderr).toContain(`no endpoints available for service "azure-wi-webhook-webhook-service"`);
    await kubectl("scale deployment azure-wi-webhook-controller-manager -n kube-system --replicas=2");
    r = await kubectl("delete mutatingwebhookconfiguration azure-wi-webhook-mutating-webhook-configuration");
    expect(r.code).toBe(0);
    expect((await kubectl("apply -f -", pod("nowebhook"))).code).toBe(0);
    expect(await envOf("nowebhook")).toEqual([]);
  }, 30_000);
});
