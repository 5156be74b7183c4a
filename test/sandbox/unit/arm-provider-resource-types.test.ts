// Which resource type a route template serves, as the providers API lists them: nested types
// joined, a POST-only trailing segment read as an action, not a type; and the resource-list
// $filter grammar the sandbox evaluates (anything else is refused, not ignored).
import { describe, expect, it } from "vitest";
import { resourceTypeOf } from "../../../sandbox/arm/providers/resources/providers.js";
import { parseResourceFilter } from "../../../sandbox/arm/providers/resources/resource-lists.js";
import type { ArmRoute } from "../../../sandbox/arm/route.js";

const route = (path: string, methods = ["GET"]): ArmRoute => ({ path, methods, apiVersions: [], handle: async () => ({ status: 200 }) });
const RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";

describe("resourceTypeOf", () => {
  it("reads the namespace and the type chain after the last providers/<namespace>", () => {
    expect(
      resourceTypeOf(route(`${RG}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}/federatedIdentityCredentials/{name}`)),
    ).toEqual({ namespace: "Microsoft.ManagedIdentity", resourceType: "userAssignedIdentities/federatedIdentityCredentials" });
    expect(resourceTypeOf(route("{*scope}/providers/Microsoft.Authorization/roleAssignments/{roleAssignmentName}"))).toEqual({
      namespace: "Microsoft.Authorization",
      resourceType: "roleAssignments",
    });
    expect(resourceTypeOf(route("/subscriptions/{subscriptionId}/providers/Microsoft.Features/providers/{ns}/features/{featureName}"))).toEqual({
      namespace: "Microsoft.Features",
      resourceType: "providers/features",
    });
  });

  it("takes a POST-only trailing segment for an action, and a GET one for a list of the type", () => {
    expect(resourceTypeOf(route(`${RG}/providers/Microsoft.ContainerService/managedClusters/{resourceName}/listClusterUserCredential`, ["POST"]))).toEqual({
      namespace: "Microsoft.ContainerService",
      resourceType: "managedClusters",
    });
    expect(resourceTypeOf(route(`${RG}/providers/Microsoft.ContainerService/managedClusters`))).toEqual({
      namespace: "Microsoft.ContainerService",
      resourceType: "managedClusters",
    });
  });

  it("is undefined for Microsoft.Resources' own paths and for the providers API itself", () => {
    expect(resourceTypeOf(route("/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}"))).toBeUndefined();
    expect(resourceTypeOf(route("/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register", ["POST"]))).toBeUndefined();
  });
});

describe("parseResourceFilter", () => {
  const row = { id: "/x", name: "kv-one", type: "Microsoft.KeyVault/vaults", location: "eastus", resourceGroup: "rg-a", tags: { env: "dev" } };
  const accepts = (f: string) => parseResourceFilter(f)!.every((c) => c(row));

  it("evaluates eq on type, name, group and location, tags, substringof, joined by and", () => {
    expect(accepts("resourceType eq 'microsoft.keyvault/VAULTS'")).toBe(true);
    expect(accepts("resourceType eq 'Microsoft.KeyVault/vaults' and name eq 'kv-two'")).toBe(false);
    expect(accepts("resourceGroup EQ 'RG-A' AND location eq 'eastus'")).toBe(true);
    expect(accepts("tagName eq 'env' and tagValue eq 'dev'")).toBe(true);
    expect(accepts("tagName eq 'env' and tagValue eq 'prod'")).toBe(false);
    expect(accepts("substringof('one', name)")).toBe(true);
  });

  it("refuses what it does not evaluate", () => {
    expect(parseResourceFilter("managedBy eq 'x'")).toBeUndefined();
    expect(parseResourceFilter("name eq 'a' or name eq 'b'")).toBeUndefined();
    expect(parseResourceFilter("tagValue eq 'dev'")).toBeUndefined();
  });
});
