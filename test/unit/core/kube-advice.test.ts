// The advice for Kubernetes errors on the clusters where the default is wrong: Azure RBAC (a role
// assignment at the namespace or cluster scope, read from kube-apiserver's Forbidden wording),
// private and IP-restricted API servers, and --admin where local accounts are disabled.
import { describe, expect, it } from "vitest";
import { azureRbacGrant, kubeAdviceFor, refuseAdmin } from "../../../src/core/kube-advice.js";

const id = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/c";
const base = { id, name: "c", resourceGroup: "rg" };

describe("Azure RBAC grants", () => {
  it("a namespaced denial asks for RBAC Writer on the namespace, naming the user as assignee", () => {
    const m =
      'serviceaccounts "sa" is forbidden: User "oid-1" cannot get resource "serviceaccounts" in API group "" in the namespace "app": User does not have access';
    expect(azureRbacGrant(id, m)).toEqual({ role: "Azure Kubernetes Service RBAC Writer", scope: `${id}/namespaces/app`, assignee: "oid-1" });
  });

  it("a cluster-scoped read asks for RBAC Reader on the cluster, a namespace's creation for RBAC Cluster Admin", () => {
    const read =
      'mutatingwebhookconfigurations.admissionregistration.k8s.io is forbidden: User "u" cannot list resource "mutatingwebhookconfigurations" in API group "admissionregistration.k8s.io" at the cluster scope';
    expect(azureRbacGrant(id, read).role).toBe("Azure Kubernetes Service RBAC Reader");
    const create = 'namespaces is forbidden: User "u" cannot create resource "namespaces" in API group "" at the cluster scope';
    expect(azureRbacGrant(id, create)).toMatchObject({ role: "Azure Kubernetes Service RBAC Cluster Admin", scope: id });
  });
});

describe("the advice a cluster's errors get", () => {
  it("none beyond the default for a plain cluster", () => {
    expect(kubeAdviceFor(base)).toEqual({});
    expect(kubeAdviceFor(undefined)).toEqual({});
  });

  it("an IP-restricted API server names its ranges and the update that adds yours", () => {
    const a = kubeAdviceFor({ ...base, authorizedIpRanges: ["203.0.113.0/24", "198.51.100.7/32"] });
    expect(a.unreachable?.()).toBe(
      "cluster c's API server accepts only its authorized IP ranges (203.0.113.0/24, 198.51.100.7/32): run aks-wi from an address in them, or add yours (az aks update -g rg -n c --api-server-authorized-ip-ranges 203.0.113.0/24,198.51.100.7/32,<your IP>/32)",
    );
    expect(a.denied).toBeUndefined();
  });

  it("--admin on a cluster without local accounts is refused as an input mistake; allowed otherwise", () => {
    expect(() => refuseAdmin({ ...base, localAccountsDisabled: true, azureRbac: true }, true)).toThrow(/cluster c has local accounts disabled/);
    expect(() => refuseAdmin({ ...base, localAccountsDisabled: true }, false)).not.toThrow();
    expect(() => refuseAdmin(base, true)).not.toThrow();
  });
});
