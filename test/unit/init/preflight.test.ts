import { describe, expect, it } from "vitest";
import {
  actionMatches,
  describeNeed,
  isPermitted,
  missingPermissions,
  type EffectivePermissions,
  type KubeNeed,
  type Need,
} from "../../../src/init/preflight.js";

const CONTRIBUTOR: EffectivePermissions = {
  actions: ["*"],
  notActions: ["Microsoft.Authorization/*/Delete", "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action"],
};
const MI_CONTRIBUTOR: EffectivePermissions = { actions: ["Microsoft.ManagedIdentity/userAssignedIdentities/*", "*/read"], notActions: [] };
const RBAC_ADMIN: EffectivePermissions = { actions: ["Microsoft.Authorization/roleAssignments/write", "*/read"], notActions: [] };

describe("ARM action evaluation", () => {
  it("matches wildcards anywhere, case-insensitively, and nothing else", () => {
    expect(actionMatches("*", "Microsoft.ManagedIdentity/userAssignedIdentities/write")).toBe(true);
    expect(actionMatches("*/read", "Microsoft.ContainerService/managedClusters/read")).toBe(true);
    expect(actionMatches("*/read", "Microsoft.ContainerService/managedClusters/write")).toBe(false);
    expect(actionMatches("Microsoft.Authorization/*/Write", "microsoft.authorization/roleAssignments/write")).toBe(true);
    expect(
      actionMatches(
        "Microsoft.ManagedIdentity/userAssignedIdentities/*",
        "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write",
      ),
    ).toBe(true);
    // A dot in a pattern is literal, not "any character".
    expect(actionMatches("Microsoft.Web/x", "MicrosoftXWeb/x")).toBe(false);
  });

  it("lets notActions subtract only within their own entry", () => {
    expect(isPermitted([CONTRIBUTOR], "Microsoft.ContainerService/managedClusters/write")).toBe(true);
    expect(isPermitted([CONTRIBUTOR], "Microsoft.Authorization/roleAssignments/write")).toBe(false);
    // A second assignment that grants it wins: effective permissions are the union of entries.
    expect(isPermitted([CONTRIBUTOR, RBAC_ADMIN], "Microsoft.Authorization/roleAssignments/write")).toBe(true);
    expect(isPermitted([], "Microsoft.ContainerService/managedClusters/read")).toBe(false);
  });
});

describe("missingPermissions", () => {
  const cluster = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks";
  const rg = "/subscriptions/s/resourceGroups/rg-id";
  const kv = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
  const needs: Need[] = [
    { plane: "arm", action: "Microsoft.ContainerService/managedClusters/write", scope: cluster },
    { plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/write", scope: rg },
    { plane: "arm", action: "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", scope: rg },
    { plane: "arm", action: "Microsoft.Authorization/roleAssignments/write", scope: kv },
    { plane: "kube", verb: "create", resource: "serviceaccounts", namespace: "app" },
    { plane: "kube", verb: "create", resource: "serviceaccounts", namespace: "app" },
  ];

  it("reads each scope once, asks each Kubernetes question once, and names what is missing", async () => {
    const reads: string[] = [];
    const asked: KubeNeed[] = [];
    const missing = await missingPermissions(needs, {
      async armPermissions(scope) {
        reads.push(scope);
        return scope === rg ? [MI_CONTRIBUTOR] : [CONTRIBUTOR];
      },
      async kubeCanI(n) {
        asked.push(n);
        return false;
      },
    });
    expect(reads.sort()).toEqual([cluster, kv, rg].sort());
    expect(asked).toHaveLength(1);
    expect(missing.map(describeNeed)).toEqual([
      `Microsoft.Authorization/roleAssignments/write at ${kv} (granted by "Role Based Access Control Administrator")`,
      "Kubernetes: create serviceaccounts in namespace app (kubectl auth can-i create serviceaccounts -n app)",
    ]);
  });

  it("finds nothing missing for an Owner-like caller", async () => {
    const missing = await missingPermissions(needs, {
      armPermissions: async () => [{ actions: ["*"], notActions: [] }],
      kubeCanI: async () => true,
    });
    expect(missing).toEqual([]);
  });
});
