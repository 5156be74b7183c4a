// `az ad sp show` and `az keyvault create/set-policy --spn` — Debian's Azure CLI 2.45 resolving
// principals through the sandbox's Microsoft Graph. az 2.45 takes Graph's address from its cloud's microsoftGraphResourceId (one value for
// Graph's resource and its base URL: role/_msgrpah/_graph_client.py in Azure/azure-cli), but its
// `az cloud register --endpoint-resource-manager` reads only the 2015-01-01 metadata document
// (msrestazure's _populate_from_metadata_endpoint), which has no such field, and it has no flag
// for it; so this test registers the cloud with --cloud-config, the CLI's way to give every
// endpoint at once. Otherwise as az-cli.test.ts: an az of its own in a temp HOME, the CA appended
// to the system bundle, `az login --service-principal` as the operator.
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azShell, type AzShell } from "../../helpers/az.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

let sb: TestSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
let az: AzShell;

const sh = (line: string, input?: string) => az.sh(line, input);
const ok = (line: string, input?: string) => az.ok(line, input);

beforeAll(async () => {
  sb = await startTestSandbox();
  az = azShell(sb.info, "aks-wi-az-graph-");
  ({ home, env } = az);
  const meta = { resourceManager: `${sb.info.armEndpoint}/`, activeDirectory: `${sb.info.authorityHost}/adfs` };
  writeFileSync(
    join(home, "cloud.json"),
    JSON.stringify({
      endpoints: {
        ...meta,
        activeDirectoryResourceId: "https://management.core.windows.net/",
        activeDirectoryGraphResourceId: "https://graph.windows.net/",
        microsoftGraphResourceId: `${sb.info.graphEndpoint}/`,
      },
      suffixes: { keyvaultDns: ".vault.azure.net", storageEndpoint: "core.windows.net" },
    }),
  );
}, 60_000);
afterAll(async () => {
  await sb?.stop();
  az?.remove();
});

describe("az ad sp show against the sandbox's Microsoft Graph", () => {
  // --password=VALUE: a secret may start with "-", which argparse would take for an option
  it("signs in to a cloud whose microsoftGraphResourceId is the sandbox's Graph", async () => {
    await ok(`az cloud register -n AksWiSandbox --cloud-config @cloud.json`);
    await ok("az cloud set -n AksWiSandbox");
    expect(JSON.parse(await ok("az cloud show -n AksWiSandbox --query endpoints.microsoftGraphResourceId -o json"))).toBe(`${sb.info.graphEndpoint}/`);
    await ok(`az login --service-principal -u "$SP_ID" --password="$SP_SECRET" --tenant "$TENANT" -o none`);
  }, 60_000);

  it("shows the operator by its appId", async () => {
    const sp = JSON.parse(await ok(`az ad sp show --id "$SP_ID" -o json`));
    expect(sp).toMatchObject({
      appId: sb.info.clientId,
      displayName: "aks-wi-sandbox-operator",
      servicePrincipalType: "Application",
      appOwnerOrganizationId: sb.info.tenantId,
    });
    expect(sp.id).toBe(sb.sandbox.world.state.principals[sb.info.clientId.toLowerCase()].principalId);
    // and by its object ID (no service principal name matches, so az takes it as one)
    expect(JSON.parse(await ok(`az ad sp show --id ${sp.id} --query appId -o json`))).toBe(sb.info.clientId);
  }, 60_000);

  it("shows the service principal of an identity `az identity create` just made", async () => {
    const identity = JSON.parse(await ok(`az identity create -n id-az-graph -g "$RG" -o json`));
    const sp = JSON.parse(await ok(`az ad sp show --id ${identity.clientId} -o json`));
    expect(sp).toMatchObject({ id: identity.principalId, appId: identity.clientId, displayName: "id-az-graph", servicePrincipalType: "ManagedIdentity" });
    expect(sp.alternativeNames).toContain(identity.id);
  }, 60_000);

  it("tutorial 002's access policy: az keyvault create, then its set-policy --spn line verbatim", async () => {
    const identity = JSON.parse(await ok(`az identity show -n id-az-graph -g "$RG" -o json`));
    Object.assign(env, {
      KEYVAULT_NAME: `kv-policy-${randomBytes(3).toString("hex")}`,
      USER_ASSIGNED_CLIENT_ID: identity.clientId,
      LOCATION: sb.info.location,
    });
    // create gives the signed-in principal (found through Graph by its appId) an access policy of its own
    const vault = JSON.parse(await ok(`az keyvault create -g "$RG" -n "$KEYVAULT_NAME" -l "$LOCATION" -o json`));
    expect(vault.properties).toMatchObject({ enableRbacAuthorization: false, vaultUri: `https://${env.KEYVAULT_NAME}.vault.azure.net/` });
    const operator = sb.sandbox.world.state.principals[sb.info.clientId.toLowerCase()]!.principalId;
    expect(vault.properties.accessPolicies.map((p: { objectId: string }) => p.objectId)).toEqual([operator]);

    await ok(`az keyvault set-policy --name "\${KEYVAULT_NAME}" --secret-permissions get --spn "\${USER_ASSIGNED_CLIENT_ID}"`);
    const policies = JSON.parse(await ok(`az keyvault show -n "$KEYVAULT_NAME" --query properties.accessPolicies -o json`));
    expect(policies).toContainEqual(
      expect.objectContaining({ objectId: identity.principalId, tenantId: sb.info.tenantId, permissions: expect.objectContaining({ secrets: ["get"] }) }),
    );
    expect(policies).toHaveLength(2);

    // The seeded vault uses Azure RBAC: az itself refuses access policies there.
    const rbac = await sh(`az keyvault set-policy --name ${sb.info.keyVaultId!.split("/").pop()} --secret-permissions get --spn "$USER_ASSIGNED_CLIENT_ID"`);
    expect(rbac.code).not.toBe(0);
    expect(rbac.stderr).toContain("Cannot set policies to a vault with '--enable-rbac-authorization' specified");
    // and a vault name is global: another group cannot take it
    const again = await sh(`az group create -n rg-other -l "$LOCATION" -o none && az keyvault create -g rg-other -n "$KEYVAULT_NAME" -l "$LOCATION" -o none`);
    expect(again.stderr).toContain("(VaultAlreadyExists)");
  }, 120_000);

  it("exits 3 with Graph's message for a principal that does not exist", async () => {
    const byId = await sh("az ad sp show --id 00000000-0000-0000-0000-000000000001");
    expect(byId.code).toBe(3);
    expect(byId.stderr).toContain(
      "Resource '00000000-0000-0000-0000-000000000001' does not exist or one of its queried reference-property objects are not present.",
    );
    const byName = await sh("az ad sp show --id no-such-principal");
    expect(byName.code).toBe(3);
    expect(byName.stderr).toContain("Service principal 'no-such-principal' doesn't exist");
  }, 60_000);
});
