// RBAC evaluation of the sandbox's ARM, table-driven: scope inheritance on whole segments,
// Azure's wildcards, notActions subtracting only within their own role, data actions apart.
import { describe, expect, it } from "vitest";
import { World, type RoleAssignmentRecord, type WorldState } from "../../../sandbox/core/world.js";
import { actionMatches, isDataActionPermitted, isPermitted } from "../../../sandbox/arm/providers/authorization/rbac.js";
import { normalizeScope, scopeCovers } from "../../../sandbox/arm/providers/authorization/scope.js";
import { BUILT_IN_ROLES, builtInRoleByName } from "../../../sandbox/arm/providers/authorization/built-in-roles.js";

const SUB = "/subscriptions/11111111-1111-1111-1111-111111111111";
const RG = `${SUB}/resourceGroups/rg-app`;
const VAULT = `${RG}/providers/Microsoft.KeyVault/vaults/kv-app`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/stapp`;
const ALICE = "aaaaaaaa-0000-0000-0000-000000000001";
const BOB = "bbbbbbbb-0000-0000-0000-000000000002";

function roleId(name: string): string {
  const r = builtInRoleByName(name);
  if (!r) throw new Error(`no built-in role ${name}`);
  return `${SUB}/providers/Microsoft.Authorization/roleDefinitions/${r.id}`;
}

function worldWith(assignments: Array<[principal: string, role: string, scope: string]>): World {
  const roleAssignments: Record<string, RoleAssignmentRecord> = {};
  assignments.forEach(([principalId, role, scope], i) => {
    const name = `00000000-0000-0000-0000-00000000000${i}`;
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    roleAssignments[id.toLowerCase()] = { id, name, scope, roleDefinitionId: roleId(role), principalId, principalType: "ServicePrincipal", createdAt: i };
  });
  const state = { roleAssignments } as unknown as WorldState;
  return new World(state, "/nonexistent/state.json");
}

describe("scopeCovers", () => {
  it.each([
    [SUB, SUB, true],
    [SUB, RG, true],
    [SUB, VAULT, true],
    [RG, VAULT, true],
    [RG.toUpperCase(), VAULT, true],
    [VAULT, RG, false],
    [`${SUB}/resourceGroups/rg`, RG, false], // prefix of a name is not a parent
    [`${RG}/`, VAULT, true],
    ["/", VAULT, true],
    [STORAGE, VAULT, false],
  ])("%s covers %s → %s", (parent, child, expected) => {
    expect(scopeCovers(parent, child)).toBe(expected);
  });

  it("normalizes doubled and trailing slashes", () => {
    expect(normalizeScope("//subscriptions/x//resourceGroups/y/")).toBe("/subscriptions/x/resourceGroups/y");
    expect(normalizeScope("/")).toBe("/");
  });
});

describe("actionMatches", () => {
  it.each([
    ["*", "Microsoft.KeyVault/vaults/read", true],
    ["*/read", "Microsoft.KeyVault/vaults/read", true],
    ["*/read", "Microsoft.KeyVault/vaults/write", false],
    ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true],
    ["Microsoft.Authorization/*", "Microsoft.Authorization/roleAssignments/delete", true],
    ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/read", false],
    ["Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/vaults/secrets/read", true],
    ["microsoft.keyvault/vaults/read", "Microsoft.KeyVault/vaults/read", true],
    ["Microsoft.Storage/storageAccounts/blobServices/containers/read", "Microsoft.Storage/storageAccounts/read", false],
    ["Microsoft.Key.Vault/*", "MicrosoftxKey.Vault/x", false], // a dot is literal, not a regex wildcard
  ])("%s matches %s → %s", (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe("isPermitted", () => {
  const world = worldWith([
    [ALICE, "Reader", RG],
    [ALICE, "Key Vault Secrets User", VAULT],
    [BOB, "Contributor", SUB],
    [BOB, "User Access Administrator", STORAGE],
  ]);

  it.each([
    // Reader at the resource group reads everything below it, writes nothing.
    [ALICE, VAULT, "Microsoft.KeyVault/vaults/read", true],
    [ALICE, STORAGE, "Microsoft.Storage/storageAccounts/read", true],
    [ALICE, RG, "Microsoft.Resources/subscriptions/resourceGroups/read", true],
    [ALICE, VAULT, "Microsoft.KeyVault/vaults/write", false],
    [ALICE, SUB, "Microsoft.Resources/subscriptions/read", false], // above the assignment
    // Contributor: everything except Microsoft.Authorization writes and deletes.
    [BOB, VAULT, "Microsoft.KeyVault/vaults/write", true],
    [BOB, RG, "Microsoft.Authorization/roleAssignments/write", false],
    [BOB, RG, "Microsoft.Authorization/roleAssignments/delete", false],
    [BOB, RG, "Microsoft.Authorization/roleAssignments/read", true],
    // …but User Access Administrator on the storage account grants the write there: a notAction of
    // one role does not subtract from another role's grant.
    [BOB, STORAGE, "Microsoft.Authorization/roleAssignments/write", true],
    [BOB, `${STORAGE}/blobServices/default`, "Microsoft.Authorization/roleAssignments/write", true],
    ["cccccccc-0000-0000-0000-000000000003", RG, "Microsoft.KeyVault/vaults/read", false],
  ])("%s at %s may %s → %s", (who, scope, action, expected) => {
    expect(isPermitted(world, who, scope, action)).toBe(expected);
  });

  it("Key Vault Secrets User alone grants no control-plane read of the vault, only its data actions", () => {
    const only = worldWith([[ALICE, "Key Vault Secrets User", VAULT]]);
    expect(isPermitted(only, ALICE, VAULT, "Microsoft.KeyVault/vaults/read")).toBe(false);
    expect(isDataActionPermitted(only, ALICE, VAULT, "Microsoft.KeyVault/vaults/secrets/getSecret/action")).toBe(true);
    expect(isDataActionPermitted(only, ALICE, `${VAULT}/secrets/db-password`, "Microsoft.KeyVault/vaults/secrets/getSecret/action")).toBe(true);
    expect(isDataActionPermitted(only, ALICE, VAULT, "Microsoft.KeyVault/vaults/secrets/setSecret/action")).toBe(false);
    expect(isDataActionPermitted(only, ALICE, STORAGE, "Microsoft.KeyVault/vaults/secrets/getSecret/action")).toBe(false);
  });

  it("notDataActions subtract within the role (AKS RBAC Admin cannot write namespaces)", () => {
    const aks = `${RG}/providers/Microsoft.ContainerService/managedClusters/aks`;
    const w = worldWith([[ALICE, "Azure Kubernetes Service RBAC Admin", aks]]);
    expect(isDataActionPermitted(w, ALICE, aks, "Microsoft.ContainerService/managedClusters/pods/write")).toBe(true);
    expect(isDataActionPermitted(w, ALICE, aks, "Microsoft.ContainerService/managedClusters/namespaces/write")).toBe(false);
  });

  it("an assignment of an unknown role grants nothing", () => {
    const w = worldWith([[ALICE, "Owner", SUB]]);
    const a = Object.values(w.state.roleAssignments)[0];
    a.roleDefinitionId = `${SUB}/providers/Microsoft.Authorization/roleDefinitions/99999999-9999-9999-9999-999999999999`;
    expect(isPermitted(w, ALICE, RG, "Microsoft.KeyVault/vaults/read")).toBe(false);
  });
});

describe("built-in roles", () => {
  it.each([
    ["Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"],
    ["Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"],
    ["Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"],
    ["User Access Administrator", "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"],
    ["Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6"],
    ["Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483"],
    ["Key Vault Secrets Officer", "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"],
    ["Key Vault Reader", "21090545-7ca7-4776-b22c-e363652d74d2"],
    ["Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424"],
    ["Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"],
    ["Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe"],
    ["AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d"],
    ["Azure Kubernetes Service Cluster Admin Role", "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8"],
    ["Azure Kubernetes Service RBAC Reader", "7f6c6a51-bcf8-42ba-9220-52d62157d7db"],
    ["Azure Kubernetes Service RBAC Writer", "a7ffa36f-339b-4b5c-8bdf-e2c188b2c0eb"],
    ["Azure Kubernetes Service RBAC Admin", "3498e952-d568-435e-9b2c-8d77e338d7f7"],
    ["Azure Kubernetes Service RBAC Cluster Admin", "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b"],
  ])("%s has the GUID %s", (name, guid) => {
    expect(builtInRoleByName(name)?.id).toBe(guid);
  });

  it("has unique names and GUIDs", () => {
    expect(new Set(BUILT_IN_ROLES.map((r) => r.id)).size).toBe(BUILT_IN_ROLES.length);
    expect(new Set(BUILT_IN_ROLES.map((r) => r.roleName.toLowerCase())).size).toBe(BUILT_IN_ROLES.length);
  });
});
