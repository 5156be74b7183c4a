// The private-cluster variant (aks-private) through the real ARM SDK, kubectl and az: its body as
// AKS returns a private cluster's (apiServerAccessProfile, privateFQDN, no public fqdn), the
// kubeconfig ARM hands out naming the private FQDN (under .invalid: it fails to resolve here, as
// the privatelink name does outside the network), the sandbox's kubeconfig "from inside the
// network" reaching its own API, and `az aks command invoke` running kubectl there through ARM;
// with the same az, the token `az account get-access-token --resource 6dae…` gives is what
// aks-entra's API authenticates.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { parse } from "yaml";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { azShell, type AzShell } from "../../helpers/az.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";

let sb: TestSandbox;
let home: string;
let env: NodeJS.ProcessEnv;
let az: AzShell;

const sh = (line: string, input?: string) => az.sh(line, input);

const aks = () => new ContainerServiceClient(sandboxCloud(sb.dir).credential(), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());

beforeAll(async () => {
  sb = await startTestSandbox({ clusterVariants: true });
  az = azShell(sb.info, "aks-wi-private-");
  ({ home, env } = az);
}, 60_000);
afterAll(async () => {
  await sb?.stop();
  az?.remove();
});

describe("aks-private", () => {
  it("is a private cluster as AKS returns one: a private endpoint in a system DNS zone, its private FQDN, no public FQDN", async () => {
    expect(sb.info.clusters?.["aks-private"]).toBe("private");
    const c = await aks().managedClusters.get(sb.info.resourceGroup, "aks-private");
    expect(c.apiServerAccessProfile).toMatchObject({ enablePrivateCluster: true, privateDNSZone: "system", enablePrivateClusterPublicFqdn: false });
    expect(c.privateFqdn).toMatch(/^aks-privat-rg-sandbox-[0-9a-f]{6}-[0-9a-f]{8}\.[0-9a-f]{32}\.privatelink\.eastus\.azmk8s\.invalid$/);
    expect(c.fqdn).toBeUndefined();
  });

  it("hands out a kubeconfig naming the private FQDN, which kubectl cannot reach from outside", async () => {
    const res = await aks().managedClusters.listClusterUserCredentials(sb.info.resourceGroup, "aks-private");
    const yaml = Buffer.from(res.kubeconfigs![0]!.value!).toString("utf8");
    const c = await aks().managedClusters.get(sb.info.resourceGroup, "aks-private");
    expect(parse(yaml).clusters[0].cluster.server).toBe(`https://${c.privateFqdn}:443`);
    writeFileSync(join(home, "outside.kubeconfig"), yaml, { mode: 0o600 });
    const r = await sh(`kubectl --kubeconfig "${join(home, "outside.kubeconfig")}" get namespaces`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such host|server misbehaving/);
  });

  it("has its own API, reached from inside the network with the kubeconfig sandbox.json names", async () => {
    const inside = sb.info.insideKubeconfigs!["aks-private"]!;
    expect(inside).toBe(join(sb.dir, "kubeconfig-aks-private-inside"));
    expect(parse(readFileSync(inside, "utf8")).clusters[0].cluster.server).toBe(sb.info.clusterServers!["aks-private"]);
    expect((await sh(`kubectl --kubeconfig "${inside}" create namespace only-private`)).code).toBe(0);
    expect((await sh(`kubectl --kubeconfig "${inside}" get namespace only-private -o name`)).stdout).toBe("namespace/only-private\n");
    expect((await sh(`kubectl --kubeconfig "${sb.info.kubeconfig}" get namespace only-private`)).stderr).toContain('namespaces "only-private" not found');
  });

  it("runs `az aks command invoke` through ARM on the cluster's own API, with its exit code", async () => {
    const reg = await sh(
      `az cloud register -n AksWiSandbox --endpoint-resource-manager "$ARM/" --endpoint-active-directory "$LOGIN/adfs" --suffix-keyvault-dns .vault.azure.net --suffix-storage-endpoint core.windows.net && az cloud set -n AksWiSandbox && az login --service-principal -u "$SP_ID" --password="$SP_SECRET" --tenant "$TENANT" -o none`,
    );
    expect(reg.code, reg.stderr).toBe(0);
    const r = await sh(`az aks command invoke -g "$RG" -n aks-private --command "kubectl get namespaces"`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/command started at .*, finished at .* with exitcode=0/);
    expect(r.stdout).toMatch(/^only-private\s+Active/m);
    const failed = await sh(`az aks command invoke -g "$RG" -n aks-private --command "kubectl get namespace nope" -o json`);
    expect(failed.code, failed.stderr).toBe(0);
    const result = JSON.parse(failed.stdout);
    expect(result).toMatchObject({ provisioningState: "Succeeded", exitCode: 1 });
    expect(result.id).toMatch(/^[0-9a-f]{32}$/);
    expect(result.logs).toContain('namespaces "nope" not found');
    // --file: az zips the files into the request's context; the command runs beside them
    writeFileSync(join(home, "manifest.yaml"), "kind: Namespace\n");
    const withFile = await sh(`az aks command invoke -g "$RG" -n aks-private --command "cat manifest.yaml" --file manifest.yaml -o json`);
    expect(withFile.code, withFile.stderr).toBe(0);
    expect(JSON.parse(withFile.stdout)).toMatchObject({ provisioningState: "Succeeded", exitCode: 0, logs: "kind: Namespace\n" });
  }, 60_000);

  it("az's token for the AKS server app (what kubelogin's azurecli login asks az for) is what aks-entra's API accepts", async () => {
    const token = (await sh(`az account get-access-token --resource 6dae42f8-4368-4678-94ff-3960e28e3630 --query accessToken -o tsv`)).stdout.trim();
    expect(token.split(".")).toHaveLength(3);
    env.AKS_TOKEN = token; // passed to kubectl through the environment, never on a logged line
    const r = await sh(
      `kubectl --server "${sb.info.clusterServers!["aks-entra"]}" --certificate-authority "${sb.info.caFile}" --token "$AKS_TOKEN" auth can-i get pods -n default`,
    );
    // authenticated (no 401), and an Owner with no AKS RBAC role may not
    expect(r.stdout).toBe("no - User does not have access to the resource in Azure. Update role assignment to allow access.\n");
  });
});
