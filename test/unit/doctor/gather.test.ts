import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { markTransient } from "../../../src/core/retry.js";
import { gatherDoctor } from "../../../src/doctor/gather.js";
import type { DoctorAzure, DoctorKube, Inventory } from "../../../src/doctor/ports.js";
import { healthyCluster, identity, sa } from "../../helpers/doctor-fixtures.js";

const TARGET = { subscription: "sub", resourceGroup: "rg", cluster: "aks" };

function fakes(inv: Inventory, over: Partial<DoctorAzure> = {}) {
  const calls: string[] = [];
  const df = healthyCluster();
  const other = { ...identity, id: identity.id.replace("id-x", "id-y"), name: "id-y", clientId: "55555555-5555-5555-5555-555555555555" };
  const azure: DoctorAzure = {
    async getCluster(s, g, n) {
      calls.push(`getCluster ${s}/${g}/${n}`);
      return df.cluster;
    },
    async listIdentities(s) {
      calls.push(`listIdentities ${s}`);
      return [identity, other];
    },
    async listFederatedCredentials(s, g, n) {
      calls.push(`listFederatedCredentials ${s}/${g}/${n}`);
      return [];
    },
    ...over,
  };
  const kube: DoctorKube = {
    async inventory(ns) {
      calls.push(`inventory ${ns ?? "*"}`);
      return inv;
    },
    async webhook() {
      calls.push("webhook");
      return df.webhook!;
    },
  };
  return { calls, azure, kube };
}

describe("gatherDoctor", () => {
  it("lists each kind once and reads the credentials of only the identities a service account names (by client ID or by name)", async () => {
    const inv: Inventory = {
      serviceAccounts: Array.from({ length: 200 }, (_, i) => sa({ name: `sa-${i}` })).concat(
        sa({ name: "by-name", annotations: { "azure.workload.identity/client-id": "id-x" } }),
      ),
      pods: [],
      deployments: [],
    };
    const { calls, azure, kube } = fakes(inv);
    const facts = await gatherDoctor(TARGET, undefined, { azure, kube: async () => kube, now: () => Date.parse("2026-01-01T12:00:00Z") });
    expect(calls.sort()).toEqual(["getCluster sub/rg/aks", "inventory *", "listFederatedCredentials sub/rg-ids/id-x", "listIdentities sub", "webhook"]);
    expect(facts.credentials[identity.id.toLowerCase()]).toEqual({ fics: [] });
    expect(facts.now).toBe("2026-01-01T12:00:00.000Z");
  });

  it("passes the namespace to the inventory", async () => {
    const { calls, azure, kube } = fakes({ serviceAccounts: [], pods: [], deployments: [] });
    const facts = await gatherDoctor(TARGET, "payments", { azure, kube: async () => kube });
    expect(calls).toContain("inventory payments");
    expect(facts.namespace).toBe("payments");
  });

  it("keeps failed reads as facts: transient ones marked, a credential read per identity", async () => {
    const { azure, kube } = fakes(
      { serviceAccounts: [sa()], pods: [], deployments: [] },
      {
        listIdentities: async () => [identity],
        listFederatedCredentials: async () => {
          throw markTransient(new Error("HTTP 503"), "503");
        },
        getCluster: async () => {
          throw new Error("boom");
        },
      },
    );
    const facts = await gatherDoctor(TARGET, undefined, { azure, kube: async () => kube });
    expect(facts.clusterError).toBe("boom");
    expect(facts.credentials[identity.id.toLowerCase()]).toEqual({ error: "HTTP 503", transient: true });
  });

  it("a cluster it cannot connect to: a usage error is the caller's (thrown), anything else a fact", async () => {
    const { azure } = fakes({ serviceAccounts: [], pods: [], deployments: [] });
    await expect(
      gatherDoctor(TARGET, undefined, {
        azure,
        kube: async () => {
          throw new UserError('context "x" is not in the kubeconfig');
        },
      }),
    ).rejects.toThrow(/context "x"/);
    const facts = await gatherDoctor(TARGET, undefined, {
      azure,
      kube: async () => {
        throw new Error("ECONNREFUSED");
      },
    });
    expect(facts.inventoryError).toMatch(/could not be reached: ECONNREFUSED/);
    expect(facts.webhook?.error).toBe("ECONNREFUSED");
  });
});
