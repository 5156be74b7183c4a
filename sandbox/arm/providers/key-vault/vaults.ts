// Microsoft.KeyVault/vaults PUT (Vaults_CreateOrUpdate in azure-rest-api-specs keyvault): what
// `az keyvault create` sends, and what `az keyvault set-policy` sends back with one access policy
// added (Azure CLI keyvault/custom.py set_policy: GET the vault, append to
// properties.accessPolicies, create_or_update with the vault's location, tags and properties).
// The spec marks it long-running with 200 and 201 answers; Key Vault answers with the vault
// already Succeeded, so a poller stops at once. GET and the lists are in
// ../resources/generic-resources.ts, with the vaults the sandbox seeds.
import type { ArmRoute } from "../../route.js";
import { key, type GenericResourceRecord } from "../../../core/world.js";
import { armError, locationRequired } from "../../errors.js";
import { presentedCloud } from "../../../core/clouds.js";
import { genericBody, KEY_VAULT_API_VERSIONS } from "../resources/generic-resources.js";

const TYPE = "Microsoft.KeyVault/vaults";

/** Key Vault's answer to a name another vault holds (its message as Azure words it, typo included:
 *  quoted in Terraform and SDK issues, e.g. Azure/azure-sdk-for-cpp#3093). */
function vaultAlreadyExists(name: string) {
  return armError(
    409,
    "VaultAlreadyExists",
    `The vault name '${name}' is already in use. Vault names are globaly unique so it is possible that the name is already taken. If you are sure that the vault name was not taken then it is possible that a vault with the same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a recoverable state then the vault will need to be purged before reusing the name. For more information on soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740.`,
  );
}

export const vaultRoutes: ArmRoute[] = [
  {
    path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${TYPE}/{vaultName}`,
    methods: ["PUT"],
    apiVersions: KEY_VAULT_API_VERSIONS,
    action: () => `${TYPE}/write`,
    async handle(call) {
      const { world, info } = call.ctx;
      const body = (call.json ?? {}) as { location?: string; tags?: Record<string, string>; properties?: Record<string, unknown> };
      if (!body.location) return locationRequired();
      const rg = `/subscriptions/${world.state.subscriptionId}/resourceGroups/${call.params.resourceGroupName}`;
      const id = `${rg}/providers/${TYPE}/${call.params.vaultName}`;
      const existing = world.state.resources[key(id)];
      // Vault names are global (they are the vault's DNS name).
      const taken = Object.values(world.state.resources).find(
        (r) => r.type.toLowerCase() === TYPE.toLowerCase() && r.name.toLowerCase() === call.params.vaultName!.toLowerCase() && key(r.id) !== key(id),
      );
      if (taken) return vaultAlreadyExists(call.params.vaultName!);
      const dns = presentedCloud(info.cloud)?.cloud.suffixes.keyVaultDns ?? "vault.azure.net";
      const props = body.properties ?? {};
      const record: GenericResourceRecord = {
        id: existing?.id ?? id,
        name: existing?.name ?? call.params.vaultName!,
        type: TYPE,
        location: existing?.location ?? body.location,
        ...(body.tags ? { tags: body.tags } : {}),
        properties: {
          // Key Vault's defaults for what the request leaves out (VaultProperties in the spec)
          accessPolicies: [],
          enableSoftDelete: true,
          softDeleteRetentionInDays: 90,
          enableRbacAuthorization: false,
          publicNetworkAccess: "Enabled",
          ...props,
          vaultUri: `https://${existing?.name ?? call.params.vaultName}.${dns}/`,
          provisioningState: "Succeeded",
        },
      };
      world.state.resources[key(id)] = record;
      world.save();
      return { status: existing ? 200 : 201, body: genericBody(record) };
    },
  },
];
