// The tutorials' own commands through the real Azure CLI (Debian's azure-cli 2.45, which .ci/run
// installs) against the sandbox, as README's "Follow the tutorials by hand" sets it up: an az of
// its own (AZURE_CONFIG_DIR and HOME in a temp dir), a custom cloud registered from the sandbox's
// /metadata/endpoints, the CA appended to the system bundle, and `az login --service-principal`
// as the operator. The commands are the tutorials' lines verbatim (../shared/tutorials), their
// variables set in the environment, run by bash in order; their output is asserted.
//
// Where az 2.45 itself cannot do what a tutorial asks, the test says so and runs the closest
// equivalent: `az aks update --enable-workload-identity` only exists from az 2.47, so the
// cluster's securityProfile is set with `az resource update`; Debian's az 2.45 ships an
// azure-mgmt-authorization its `az role` module cannot drive (AttributeError: … no attribute
// 'config'), so the role assignment is made with `az rest`. Commands that resolve a principal
// through Microsoft Graph are in az-cli-graph.test.ts (`az keyvault set-policy --spn`; `--assignee`
// meets the same broken role module).
// No az, no pass: the test fails rather than skips, since .ci/run installs it.
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { azShell, type AzShell } from "../../helpers/az.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

/** Long enough to see "Registering" in the register answer, short enough to wait out. */
const REGISTRATION_MS = 300;
const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

let sb: TestSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
let az: AzShell;

const sh = (line: string, input?: string) => az.sh(line, input);

const ok = (line: string, input?: string) => az.ok(line, input);

const setVars = (vars: Record<string, string>) => Object.assign(env, vars);

beforeAll(async () => {
  sb = await startTestSandbox({ latency: { providerRegistrationMs: REGISTRATION_MS, featureRegistrationMs: REGISTRATION_MS } });
  az = azShell(sb.info, "aks-wi-az-");
  ({ home, env } = az);
}, 60_000);
afterAll(async () => {
  await sb?.stop();
  az?.remove();
});

describe("the tutorials' az commands against the sandbox", () => {
  it("the Azure CLI is installed (.ci/run installs Debian's azure-cli when it is missing)", async () => {
    const r = await sh("az version --output json");
    expect(r.code, `az is not on PATH: install it (apt-get install azure-cli) — ${r.stderr}`).toBe(0);
    expect(JSON.parse(r.stdout)["azure-cli"]).toMatch(/^2\.\d+\.\d+$/);
  });

  it("points az at the sandbox: a custom cloud from /metadata/endpoints, and a service-principal login", async () => {
    // az 2.45's MSAL checks any authority it does not know with login.microsoftonline.com
    // (instance discovery) unless it has Azure Stack's ADFS form, which the sandbox also answers
    await ok(
      `az cloud register -n AksWiSandbox --endpoint-resource-manager "$ARM/" --endpoint-active-directory "$LOGIN/adfs" --suffix-keyvault-dns .vault.azure.net --suffix-storage-endpoint core.windows.net`,
    );
    const cloud = JSON.parse(await ok("az cloud show -n AksWiSandbox -o json"));
    expect(cloud.endpoints).toMatchObject({ resourceManager: `${sb.info.armEndpoint}/`, activeDirectoryResourceId: "https://management.core.windows.net/" });
    const set = await sh("az cloud set -n AksWiSandbox");
    expect(set.code).toBe(0);
    expect(set.stderr).toContain("Switched active cloud to 'AksWiSandbox'.");
    const accounts = JSON.parse(await ok(`az login --service-principal -u "$SP_ID" --password="$SP_SECRET" --tenant "$TENANT" -o json`));
    // the operator is Owner of both subscriptions; the main one, listed first, is az's default
    expect(accounts).toEqual([
      expect.objectContaining({
        id: sb.info.subscriptionId,
        tenantId: sb.info.tenantId,
        name: sb.info.subscriptionName,
        cloudName: "AksWiSandbox",
        isDefault: true,
        user: { name: sb.info.clientId, type: "servicePrincipal" },
      }),
      expect.objectContaining({ id: sb.info.unregisteredSubscriptionId, tenantId: sb.info.tenantId, name: "aks-wi-sandbox-unregistered", isDefault: false }),
    ]);
  }, 60_000);

  it("001/002: subscription, group, OIDC issuer, identity, credentials and federated credential", async () => {
    setVars({
      RESOURCE_GROUP: sb.info.resourceGroup,
      CLUSTER_NAME: sb.info.clusterName,
      LOCATION: sb.info.location,
      SERVICE_ACCOUNT_NAMESPACE: "default",
      SERVICE_ACCOUNT_NAME: "workload-identity-sa",
      USER_ASSIGNED_IDENTITY_NAME: "userIdentity",
      FEDERATED_IDENTITY_CREDENTIAL_NAME: "scalerFedIdentity",
    });
    setVars({ SUBSCRIPTION: (await ok("az account show --query id --output tsv")).trim() });
    expect(env.SUBSCRIPTION).toBe(sb.info.subscriptionId);

    const group = JSON.parse(await ok(`az group show -g "\${RESOURCE_GROUP}"`));
    expect(group).toMatchObject({ name: sb.info.resourceGroup, location: sb.info.location, properties: { provisioningState: "Succeeded" } });

    expect(await ok(`az aks show -n "\${CLUSTER_NAME}" -g "\${RESOURCE_GROUP}" --query "oidcIssuerProfile.issuerUrl" -otsv`)).toBe("");
    const updated = JSON.parse(await ok(`az aks update -g "\${RESOURCE_GROUP}" -n "\${CLUSTER_NAME}" --enable-oidc-issuer`));
    expect(updated).toMatchObject({ provisioningState: "Succeeded", oidcIssuerProfile: { enabled: true } });
    setVars({ AKS_OIDC_ISSUER: (await ok(`az aks show -n "\${CLUSTER_NAME}" -g "\${RESOURCE_GROUP}" --query "oidcIssuerProfile.issuerUrl" -otsv`)).trim() });
    expect(env.AKS_OIDC_ISSUER).toMatch(new RegExp(`^${sb.info.oidcBase}/${sb.info.tenantId}/[0-9a-f-]{36}/$`));

    // az 2.45 has no --enable-workload-identity (it came with az 2.47): the closest equivalent
    // sets the same property of the cluster through the generic resource API
    const noFlag = await sh(`az aks update -g "\${RESOURCE_GROUP}" -n "\${CLUSTER_NAME}" --enable-oidc-issuer --enable-workload-identity`);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr).toContain("unrecognized arguments: --enable-workload-identity");
    const wi = JSON.parse(
      await ok(
        `az resource update --ids "$(az aks show -n "\${CLUSTER_NAME}" -g "\${RESOURCE_GROUP}" --query id -otsv)" --set 'properties.securityProfile.workloadIdentity={"enabled":true}'`,
      ),
    );
    expect(wi.properties).toMatchObject({ provisioningState: "Succeeded", securityProfile: { workloadIdentity: { enabled: true } } });

    const identity = JSON.parse(
      await ok(
        `az identity create --name "\${USER_ASSIGNED_IDENTITY_NAME}" --resource-group "\${RESOURCE_GROUP}" --location "\${LOCATION}" --subscription "\${SUBSCRIPTION}"`,
      ),
    );
    expect(identity).toMatchObject({
      name: "userIdentity",
      location: sb.info.location,
      tenantId: sb.info.tenantId,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
    });
    setVars({
      USER_ASSIGNED_CLIENT_ID: (
        await ok(`az identity show --resource-group "\${RESOURCE_GROUP}" --name "\${USER_ASSIGNED_IDENTITY_NAME}" --query 'clientId' -otsv`)
      ).trim(),
    });
    expect(env.USER_ASSIGNED_CLIENT_ID).toBe(identity.clientId);
    const byId = JSON.parse(
      await ok(
        `az identity show --ids /subscriptions/"\${SUBSCRIPTION}"/resourceGroups/"\${RESOURCE_GROUP}"/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"\${USER_ASSIGNED_IDENTITY_NAME}"`,
      ),
    );
    expect(byId.principalId).toBe(identity.principalId);

    // AKS names the context after the cluster; --admin appends "-admin" once
    const creds = await sh(`az aks get-credentials -n "\${CLUSTER_NAME}" -g "\${RESOURCE_GROUP}"`);
    expect(creds.code, creds.stderr).toBe(0);
    expect(creds.stderr).toContain(`Merged "${sb.info.clusterName}" as current context in ${join(home, ".kube", "config")}`);
    const admin = await sh(`az aks get-credentials --resource-group "\${RESOURCE_GROUP}" --name "\${CLUSTER_NAME}" --admin`);
    expect(admin.stderr).toContain(`Merged "${sb.info.clusterName}-admin" as current context`);
    expect((await ok("kubectl config get-contexts -o name")).trim().split("\n").sort()).toEqual([sb.info.clusterName, `${sb.info.clusterName}-admin`]);
    await ok(`kubectl config use-context "\${CLUSTER_NAME}"`);

    const sa = await ok(
      "kubectl apply -f -",
      [
        "apiVersion: v1",
        "kind: ServiceAccount",
        "metadata:",
        "  annotations:",
        `    azure.workload.identity/client-id: ${env.USER_ASSIGNED_CLIENT_ID}`,
        `  name: ${env.SERVICE_ACCOUNT_NAME}`,
        `  namespace: ${env.SERVICE_ACCOUNT_NAMESPACE}`,
        "",
      ].join("\n"),
    );
    expect(sa.trim()).toBe("serviceaccount/workload-identity-sa created");

    const fic = JSON.parse(
      await ok(
        `az identity federated-credential create --name \${FEDERATED_IDENTITY_CREDENTIAL_NAME} --identity-name \${USER_ASSIGNED_IDENTITY_NAME} --resource-group \${RESOURCE_GROUP} --issuer \${AKS_OIDC_ISSUER} --subject system:serviceaccount:\${SERVICE_ACCOUNT_NAMESPACE}:\${SERVICE_ACCOUNT_NAME}`,
      ),
    );
    expect(fic).toMatchObject({
      name: "scalerFedIdentity",
      issuer: env.AKS_OIDC_ISSUER,
      subject: "system:serviceaccount:default:workload-identity-sa",
      audiences: ["api://AzureADTokenExchange"],
    });
    const fics = JSON.parse(
      await ok(`az identity federated-credential list --identity-name "\${USER_ASSIGNED_IDENTITY_NAME}" --resource-group "\${RESOURCE_GROUP}"`),
    );
    expect(fics.map((f: any) => f.name)).toEqual(["scalerFedIdentity"]);

    // the workload the tutorial then deploys gets the webhook's environment
    const pod = await ok(
      "kubectl apply -f -",
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "quick-start", namespace: "default", labels: { "azure.workload.identity/use": "true" } },
        spec: { serviceAccountName: "workload-identity-sa", containers: [{ name: "oidc", image: "ghcr.io/azure/azure-workload-identity/msal-go" }] },
      }),
    );
    expect(pod.trim()).toBe("pod/quick-start created");
    const podEnv = await ok(`kubectl get pod quick-start -o jsonpath='{.spec.containers[0].env[?(@.name=="AZURE_CLIENT_ID")].value}'`);
    expect(podEnv).toBe(env.USER_ASSIGNED_CLIENT_ID);
  }, 120_000);

  it("003: the Key Vault's ID, and the identity's role on it", async () => {
    const kvName = sb.info.keyVaultId!.split("/").pop()!;
    setVars({ UAMI_NAME: "userIdentity", KEYVAULT_NAME: kvName });
    setVars({
      IDENTITY_PRINCIPAL_ID: (
        await ok(`az identity show --name "\${UAMI_NAME}" --resource-group "\${RESOURCE_GROUP}" --query principalId --output tsv`)
      ).trim(),
    });
    setVars({
      KEYVAULT_RESOURCE_ID: (await ok(`az keyvault show --resource-group "\${RESOURCE_GROUP}" --name "\${KEYVAULT_NAME}" --query id --output tsv`)).trim(),
    });
    expect(env.KEYVAULT_RESOURCE_ID).toBe(sb.info.keyVaultId);
    expect((await ok(`az keyvault show -g \${RESOURCE_GROUP} -n \${KEYVAULT_NAME} --query properties.vaultUri -o tsv`)).trim()).toBe(
      `https://${kvName}.vault.azure.net/`,
    );
    // without -g, az finds the vault's group through the generic resource list
    expect((await ok(`az keyvault show --name "\${KEYVAULT_NAME}" --query id --output tsv`)).trim()).toBe(sb.info.keyVaultId);

    // The tutorial's command, unmodified: Debian's az 2.45 fails inside its own role module
    // before any request (its azure-mgmt-authorization is newer than the module expects) …
    const tutorial = await sh(
      `az role assignment create --assignee-object-id "\${IDENTITY_PRINCIPAL_ID}" --role "Key Vault Secrets User" --scope "\${KEYVAULT_RESOURCE_ID}" --assignee-principal-type ServicePrincipal`,
    );
    if (tutorial.code !== 0) expect(tutorial.stderr).toMatch(/'Role(Assignments|Definitions)Operations' object has no attribute 'config'/);
    else expect(JSON.parse(tutorial.stdout)).toMatchObject({ principalId: env.IDENTITY_PRINCIPAL_ID, scope: sb.info.keyVaultId });
    // … so the closest equivalent is the same PUT the command would send, through az rest
    setVars({
      ASSIGNMENT: randomUUID(),
      ROLE: `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`,
    });
    const put = JSON.parse(
      await ok(
        `az rest --method put --url "\${KEYVAULT_RESOURCE_ID}/providers/Microsoft.Authorization/roleAssignments/\${ASSIGNMENT}?api-version=2022-04-01" --body "{\\"properties\\": {\\"roleDefinitionId\\": \\"\${ROLE}\\", \\"principalId\\": \\"\${IDENTITY_PRINCIPAL_ID}\\", \\"principalType\\": \\"ServicePrincipal\\"}}"`,
      ),
    );
    expect(put).toMatchObject({
      name: env.ASSIGNMENT,
      properties: { scope: sb.info.keyVaultId, principalId: env.IDENTITY_PRINCIPAL_ID, roleDefinitionId: env.ROLE },
    });
    const listed = JSON.parse(
      await ok(
        `az rest --method get --url "\${KEYVAULT_RESOURCE_ID}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01&\\$filter=atScope()"`,
      ),
    );
    expect(listed.value.map((a: any) => a.properties.principalId)).toContain(env.IDENTITY_PRINCIPAL_ID);
  }, 60_000);

  it("002: the preview feature and the provider registration", async () => {
    const reg = await sh(`az feature register --namespace "Microsoft.ContainerService" --name "EnableWorkloadIdentityPreview"`);
    expect(reg.code, reg.stderr).toBe(0);
    expect(reg.stderr).toContain(
      "Once the feature 'EnableWorkloadIdentityPreview' is registered, invoking 'az provider register -n Microsoft.ContainerService' is required to get the change propagated",
    );
    expect(JSON.parse(reg.stdout)).toEqual({
      id: `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Features/providers/Microsoft.ContainerService/features/EnableWorkloadIdentityPreview`,
      name: "Microsoft.ContainerService/EnableWorkloadIdentityPreview",
      properties: { state: "Registering" },
      type: "Microsoft.Features/providers/features",
    });
    await sleep(REGISTRATION_MS);
    const shown = JSON.parse(await ok(`az feature show --namespace "Microsoft.ContainerService" --name "EnableWorkloadIdentityPreview"`));
    expect(shown.properties.state).toBe("Registered");

    // registered already (the cluster is in it): nothing to wait for, nothing printed
    const registered = await sh("az provider register --namespace Microsoft.ContainerService");
    expect(registered).toMatchObject({ code: 0, stdout: "", stderr: "" });
    // the seeded unregistered provider goes through Registering
    const fresh = await sh("az provider register --namespace Microsoft.KubernetesConfiguration");
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain("Registering is still on-going. You can monitor using 'az provider show -n Microsoft.KubernetesConfiguration'");
    await sleep(REGISTRATION_MS);
    expect((await ok("az provider show -n Microsoft.KubernetesConfiguration --query registrationState -o tsv")).trim()).toBe("Registered");
    expect(await ok("az provider show -n Microsoft.ContainerService --query \"resourceTypes[?resourceType=='managedClusters'].locations[0]\" -o tsv")).toBe(
      "East US\n",
    );
  }, 60_000);

  it("lists: the group's Key Vaults and every resource in it", async () => {
    expect(await ok(`az keyvault list -g "\${RESOURCE_GROUP}" --query "[].id" -o tsv`)).toBe(`${sb.info.keyVaultId}\n`);
    const resources = JSON.parse(await ok(`az resource list -g "\${RESOURCE_GROUP}"`));
    expect(resources.map((r: any) => [r.type, r.resourceGroup]).sort()).toEqual([
      ["Microsoft.ContainerService/ManagedClusters", sb.info.resourceGroup],
      ["Microsoft.KeyVault/vaults", sb.info.resourceGroup],
      ["Microsoft.ManagedIdentity/userAssignedIdentities", sb.info.resourceGroup],
      ["Microsoft.Storage/storageAccounts", sb.info.resourceGroup],
    ]);
    expect(resources.map((r: any) => r.id)).toEqual(expect.arrayContaining([sb.info.keyVaultId, sb.info.storageAccountId]));
    expect(await ok(`az resource list --resource-type Microsoft.Storage/storageAccounts --query "[].id" -o tsv`)).toBe(`${sb.info.storageAccountId}\n`);
  }, 60_000);
});
