// The managed-cluster model on its own: how a PUT body folds into the stored cluster, and how a
// running operation completes on the clock (a fake ServiceContext clock, our own interface).
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mergeClusterBody, seedClusterBody } from "../../../sandbox/arm/providers/container-service/cluster-body.js";
import { settleCluster } from "../../../sandbox/arm/providers/container-service/long-running.js";
import { World, type ClusterRecord, type WorldState } from "../../../sandbox/core/world.js";
import type { ServiceContext } from "../../../sandbox/core/types.js";

const id = "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
const seed = () => seedClusterBody({ id, name: "aks", location: "eastus", resourceGroup: "rg", kubeServer: "https://127.0.0.1:6443", tenantId: "t1" });

describe("seedClusterBody", () => {
  it("looks like a fresh AKS cluster with OIDC issuer and workload identity off", () => {
    const b = seed();
    expect(b.type).toBe("Microsoft.ContainerService/ManagedClusters");
    expect(b.properties).toMatchObject({
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
      oidcIssuerProfile: { enabled: false },
      securityProfile: {},
      fqdn: "127.0.0.1:6443",
    });
    expect(b.properties.aadProfile).toBeUndefined();
    expect(b.properties.agentPoolProfiles[0]).toMatchObject({ name: "nodepool1", mode: "System", osType: "Linux" });
    expect(b.identity).toEqual({ type: "SystemAssigned", principalId: expect.stringMatching(/^[0-9a-f-]{36}$/), tenantId: "t1" });
  });
});

describe("mergeClusterBody", () => {
  it("takes writable fields, keeps read-only ones and never takes a caller's issuerURL", () => {
    const cur = seed();
    const next = mergeClusterBody(cur, {
      location: "eastus",
      tags: { t: "1" },
      properties: {
        provisioningState: "Failed",
        fqdn: "evil.example",
        oidcIssuerProfile: { enabled: true, issuerURL: "https://evil.example/" },
        securityProfile: { workloadIdentity: { enabled: true } },
        agentPoolProfiles: [{ name: "nodepool1", count: 3, provisioningState: "Failed" }],
      },
    });
    expect(next.tags).toEqual({ t: "1" });
    expect(next.properties.provisioningState).toBe("Succeeded");
    expect(next.properties.fqdn).toBe("127.0.0.1:6443");
    expect(next.properties.oidcIssuerProfile).toEqual({ enabled: true });
    expect(next.properties.securityProfile).toEqual({ workloadIdentity: { enabled: true } });
    expect(next.properties.agentPoolProfiles[0]).toMatchObject({
      name: "nodepool1",
      count: 3,
      provisioningState: "Succeeded",
      vmSize: cur.properties.agentPoolProfiles[0].vmSize,
    });
    // the stored body is not touched
    expect(cur.properties.oidcIssuerProfile).toEqual({ enabled: false });
  });

  it("keeps the service's issuerURL and the fields a partial body leaves out", () => {
    const cur = seed();
    cur.properties.oidcIssuerProfile = { enabled: true, issuerURL: "https://127.0.0.1:1/t/g/" };
    const next = mergeClusterBody(cur, { location: "eastus", properties: { kubernetesVersion: "1.33.2" } });
    expect(next.properties.oidcIssuerProfile).toEqual({ enabled: true, issuerURL: "https://127.0.0.1:1/t/g/" });
    expect(next.properties.kubernetesVersion).toBe("1.33.2");
    expect(next.properties.currentKubernetesVersion).toBe("1.33.2");
    expect(next.properties.networkProfile).toEqual(cur.properties.networkProfile);
  });
});

describe("settleCluster", () => {
  it("completes the operation only once its time has come, recording when WI came on", () => {
    let now = 1_000;
    const world = World.create(mkdtempSync(join(tmpdir(), "arm-clusters-")), { clusters: {} } as unknown as WorldState);
    const ctx = { world, now: () => now } as unknown as ServiceContext;
    const body = seed();
    const pending = mergeClusterBody(body, {
      location: "eastus",
      properties: { oidcIssuerProfile: { enabled: true }, securityProfile: { workloadIdentity: { enabled: true } } },
    });
    body.properties.provisioningState = "Updating";
    const c: ClusterRecord = { id, body, operations: {}, operation: { id: "op1", startedAt: 1_000, doneAt: 3_000, status: "InProgress", pending } };

    now = 2_999;
    expect(settleCluster(ctx, c)).toBe(false);
    expect(c.body.properties.provisioningState).toBe("Updating");
    expect(c.workloadIdentityEnabledAt).toBeUndefined();

    now = 3_000;
    expect(settleCluster(ctx, c)).toBe(true);
    expect(c.operation).toBeUndefined();
    expect(c.body.properties.provisioningState).toBe("Succeeded");
    expect(c.body.properties.securityProfile.workloadIdentity.enabled).toBe(true);
    expect(c.workloadIdentityEnabledAt).toBe(3_000);
    expect(c.oidcIssuerEnabledAt).toBe(3_000);
    expect(c.operations.op1).toEqual({ status: "Succeeded", startTime: new Date(1_000).toISOString(), endTime: new Date(3_000).toISOString() });
  });
});
