// The resources aks-wi only points at (role scopes): Key Vault vaults and storage accounts,
// returned as stored — GET, and the lists by resource group and by subscription
// (Vaults_ListByResourceGroup / Vaults_ListBySubscription and StorageAccounts_ListByResourceGroup /
// StorageAccounts_List in azure-rest-api-specs keyvault and storage; `az keyvault list -g` and
// `az storage account list -g` read them). Each type answers only the api-versions its provider serves.
import type { ArmRoute } from "../../route.js";
import { key, type GenericResourceRecord, type World } from "../../../core/world.js";
import { resourceNotFound } from "../../errors.js";

/** Microsoft.KeyVault/vaults, ascending, from azure-rest-api-specs. */
export const KEY_VAULT_API_VERSIONS = [
  "2015-06-01",
  "2016-10-01",
  "2018-02-14",
  "2018-02-14-preview",
  "2019-09-01",
  "2020-04-01-preview",
  "2021-04-01-preview",
  "2021-06-01-preview",
  "2021-10-01",
  "2021-11-01-preview",
  "2022-02-01-preview",
  "2022-07-01",
  "2022-11-01",
  "2023-02-01",
  "2023-07-01",
  "2023-08-01-preview",
  "2024-04-01-preview",
  "2024-11-01",
  "2024-12-01-preview",
  "2025-05-01",
] as const;

/** Microsoft.Storage/storageAccounts, ascending, from azure-rest-api-specs. */
const STORAGE_API_VERSIONS = [
  "2015-05-01-preview",
  "2015-06-15",
  "2016-01-01",
  "2016-05-01",
  "2016-12-01",
  "2017-06-01",
  "2017-10-01",
  "2018-02-01",
  "2018-03-01-preview",
  "2018-07-01",
  "2018-11-01",
  "2019-04-01",
  "2019-06-01",
  "2020-08-01-preview",
  "2021-01-01",
  "2021-02-01",
  "2021-04-01",
  "2021-06-01",
  "2021-08-01",
  "2021-09-01",
  "2022-05-01",
  "2022-09-01",
  "2023-01-01",
  "2023-04-01",
  "2023-05-01",
  "2024-01-01",
  "2025-01-01",
  "2025-06-01",
] as const;

export function genericBody(r: GenericResourceRecord) {
  return { id: r.id, name: r.name, type: r.type, location: r.location, ...(r.tags ? { tags: r.tags } : {}), properties: r.properties };
}

/** GET of one seeded resource type under a resource group. */
function genericRoute(namespace: string, type: string, apiVersions: readonly string[]): ArmRoute {
  return {
    path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${namespace}/${type}/{resourceName}`,
    methods: ["GET"],
    apiVersions,
    action: () => `${namespace}/${type}/read`,
    async handle(call) {
      const rg = `/subscriptions/${call.ctx.world.state.subscriptionId}/resourceGroups/${call.params.resourceGroupName}`;
      const r = call.ctx.world.state.resources[key(`${rg}/providers/${namespace}/${type}/${call.params.resourceName}`)];
      if (!r) return resourceNotFound(`${namespace}/${type}`, call.params.resourceName, call.params.resourceGroupName);
      return { status: 200, body: genericBody(r) };
    },
  };
}

/** The lists of one seeded type: under a resource group, and in the whole subscription. */
function listRoutes(namespace: string, type: string, apiVersions: readonly string[]): ArmRoute[] {
  const fullType = `${namespace}/${type}`.toLowerCase();
  const of = (world: World, rg?: string) =>
    Object.values(world.state.resources)
      .filter((r) => r.type.toLowerCase() === fullType)
      .filter((r) => rg === undefined || key(r.id).startsWith(key(`/subscriptions/${world.state.subscriptionId}/resourceGroups/${rg}/`)));
  return [
    {
      path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${namespace}/${type}`,
      methods: ["GET"],
      apiVersions,
      action: () => `${namespace}/${type}/read`,
      async handle(call) {
        return { status: 200, body: { value: of(call.ctx.world, call.params.resourceGroupName).map(genericBody) } };
      },
    },
    {
      path: `/subscriptions/{subscriptionId}/providers/${namespace}/${type}`,
      methods: ["GET"],
      apiVersions,
      action: () => `${namespace}/${type}/read`,
      async handle(call) {
        return { status: 200, body: { value: of(call.ctx.world).map(genericBody) } };
      },
    },
  ];
}

export const genericResourceRoutes: ArmRoute[] = [
  genericRoute("Microsoft.KeyVault", "vaults", KEY_VAULT_API_VERSIONS),
  ...listRoutes("Microsoft.KeyVault", "vaults", KEY_VAULT_API_VERSIONS),
  genericRoute("Microsoft.Storage", "storageAccounts", STORAGE_API_VERSIONS),
  ...listRoutes("Microsoft.Storage", "storageAccounts", STORAGE_API_VERSIONS),
];
