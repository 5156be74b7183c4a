// Naming rules checked before anything is sent: Azure's (resource group, cluster, identity,
// federated credential, subscription, scope) and Kubernetes' (DNS-1123 names).
import { describe, expect, it } from "vitest";
import {
  validateClusterName,
  validateFederatedCredentialName,
  validateIdentityName,
  validateNamespace,
  validatePodName,
  validateResourceGroup,
  validateRole,
  validateScope,
  validateServiceAccount,
  validateSubscription,
  type Validator,
} from "../../../src/core/names.js";

const SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

const cases: [string, Validator, string[], [string, RegExp][]][] = [
  [
    "subscription",
    validateSubscription,
    [SUB, SUB.toUpperCase()],
    [
      ["my-sub", /GUID/],
      [`${SUB}x`, /GUID/],
    ],
  ],
  [
    "resource group",
    validateResourceGroup,
    ["rg", "rg-app_1.(x)", "a".repeat(90), "grüppe"],
    [
      ["", /1-90/],
      ["a".repeat(91), /1-90/],
      ["rg.", /end with '\.'/],
      ["rg/x", /may hold only/],
      ["rg x", /may hold only/],
    ],
  ],
  [
    "cluster",
    validateClusterName,
    ["a", "aks-sandbox", "AKS_1", "a".repeat(63)],
    [
      ["-aks", /start and end/],
      ["aks_", /start and end/],
      ["aks.1", /may hold only/],
      ["a".repeat(64), /1-63/],
    ],
  ],
  [
    "identity",
    validateIdentityName,
    ["id-app", "1_id", "abc", "a".repeat(128)],
    [
      ["-bad_", /start with a letter or digit/],
      ["ab", /3-128/],
      ["a".repeat(129), /3-128/],
      ["id.app", /may hold only/],
      ["_id", /start with/],
    ],
  ],
  [
    "federated credential",
    validateFederatedCredentialName,
    ["fc-app", "aks-wi-default-sa", "a".repeat(120)],
    [
      ["fc", /3-120/],
      ["a".repeat(121), /3-120/],
      ["-fc", /start with/],
      ["fc app", /may hold only/],
    ],
  ],
  [
    "namespace",
    validateNamespace,
    ["default", "app-1", "a".repeat(63)],
    [
      ["App", /DNS-1123 label/],
      ["app.x", /DNS-1123 label/],
      ["-app", /DNS-1123/],
      ["a".repeat(64), /1-63/],
      ["", /1-63/],
    ],
  ],
  [
    "service account",
    validateServiceAccount,
    ["sa-app", "sa.app", "a"],
    [
      ["SA", /DNS-1123 subdomain/],
      ["sa_app", /DNS-1123 subdomain/],
      ["sa..app", /DNS-1123 subdomain/],
      ["sa-", /DNS-1123/],
    ],
  ],
  ["pod name", validatePodName, ["aks-wi-test"], [["Aks", /DNS-1123/]]],
  [
    "role",
    validateRole,
    [
      "Key Vault Secrets User",
      "4633458b-17de-408a-b874-0445c86b69e6",
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`,
    ],
    [
      ["", /role name/],
      [" Owner", /surrounding spaces/],
      ["a/b", /role definition/],
    ],
  ],
  [
    "scope",
    validateScope,
    [
      `/subscriptions/${SUB}`,
      `/subscriptions/${SUB}/resourceGroups/rg-app`,
      `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app`,
      `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default/containers/c`,
      "/providers/Microsoft.Management/managementGroups/mg1",
    ],
    [
      ["kv-app", /full resource ID/],
      [`/subscriptions/not-a-guid`, /not a subscription ID/],
      [`/subscriptions/${SUB}/`, /must not end/],
      [`/subscriptions/${SUB}/vaults/kv`, /resourceGroups/],
      [`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults`, /providers\/<namespace>/],
      [`/subscriptions/${SUB}/resourceGroups/rg./providers/Microsoft.KeyVault/vaults/kv`, /end with/],
    ],
  ],
];

describe.each(cases)("%s", (_name, validate, good, bad) => {
  it.each(good)("accepts %s", (v) => {
    expect(validate(v)).toBeUndefined();
  });
  it.each(bad)("rejects %s", (v, reason) => {
    expect(validate(v)).toMatch(reason);
  });
});
