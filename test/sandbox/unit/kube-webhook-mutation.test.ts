// The workload-identity webhook's pod mutation, as a pure function.
import { describe, expect, it } from "vitest";
import { TOKEN_FILE, mutatePod } from "../../../sandbox/kube/webhook.js";

const opts = { tenantId: "tenant-1", authorityHost: "https://login.example" };
const sa = (annotations: Record<string, string> = {}) => ({ metadata: { name: "sa", namespace: "default", annotations } });
const pod = (extra: any = {}) => ({
  metadata: { name: "p", namespace: "default", labels: { "azure.workload.identity/use": "true" }, annotations: extra.annotations },
  spec: {
    serviceAccountName: "sa",
    initContainers: [{ name: "init", image: "busybox" }],
    containers: [
      { name: "app", image: "busybox", env: [{ name: "AZURE_TENANT_ID", value: "mine" }] },
      { name: "side", image: "busybox" },
    ],
  },
});

describe("mutatePod", () => {
  it("adds the four variables, volume and mount to every container not already setting them", () => {
    const r = mutatePod(pod(), sa({ "azure.workload.identity/client-id": "cid" }), opts);
    if (!r.ok) throw new Error(r.message);
    const [app, side] = r.pod.spec.containers;
    expect(app.env).toEqual([
      { name: "AZURE_TENANT_ID", value: "mine" },
      { name: "AZURE_CLIENT_ID", value: "cid" },
      { name: "AZURE_FEDERATED_TOKEN_FILE", value: TOKEN_FILE },
      { name: "AZURE_AUTHORITY_HOST", value: "https://login.example/" },
    ]);
    expect(side.env.map((e: any) => e.value)).toEqual(["cid", "tenant-1", TOKEN_FILE, "https://login.example/"]);
    expect(r.pod.spec.initContainers[0].env).toHaveLength(4);
    expect(side.volumeMounts).toEqual([{ name: "azure-identity-token", mountPath: "/var/run/secrets/azure/tokens", readOnly: true }]);
    expect(r.pod.spec.volumes).toEqual([
      {
        name: "azure-identity-token",
        projected: {
          defaultMode: 420,
          sources: [{ serviceAccountToken: { audience: "api://AzureADTokenExchange", expirationSeconds: 3600, path: "azure-identity-token" } }],
        },
      },
    ]);
  });

  it("leaves AZURE_CLIENT_ID out without the annotation and takes the tenant from the SA's annotation", () => {
    const r = mutatePod(pod(), sa({ "azure.workload.identity/tenant-id": "t-2" }), opts);
    if (!r.ok) throw new Error(r.message);
    expect(r.pod.spec.containers[1].env).toEqual([
      { name: "AZURE_TENANT_ID", value: "t-2" },
      { name: "AZURE_FEDERATED_TOKEN_FILE", value: TOKEN_FILE },
      { name: "AZURE_AUTHORITY_HOST", value: "https://login.example/" },
    ]);
  });

  it("honours skip-containers and the pod's expiration over the SA's", () => {
    const r = mutatePod(
      pod({ annotations: { "azure.workload.identity/skip-containers": "side;init", "azure.workload.identity/service-account-token-expiration": "7200" } }),
      sa({ "azure.workload.identity/service-account-token-expiration": "86400" }),
      opts,
    );
    if (!r.ok) throw new Error(r.message);
    expect(r.pod.spec.containers[1].env).toBeUndefined();
    expect(r.pod.spec.initContainers[0].env).toBeUndefined();
    expect(r.pod.spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds).toBe(7200);
  });

  it("rejects expirations outside 3600–86400", () => {
    for (const v of ["3599", "86401", "abc"]) {
      const r = mutatePod(pod({ annotations: { "azure.workload.identity/service-account-token-expiration": v } }), sa(), opts);
      expect(r.ok).toBe(false);
    }
    expect(mutatePod(pod(), sa({ "azure.workload.identity/service-account-token-expiration": "86400" }), opts).ok).toBe(true);
  });
});
