// managedClusters through the REAL @azure/arm-containerservice client against the sandbox ARM:
// the LRO (Azure-AsyncOperation polling, Updating → Succeeded), OIDC issuer + workload identity,
// Azure's refusals, and a kubeconfig that the real kubectl accepts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { ContainerServiceClient, type ManagedCluster } from "@azure/arm-containerservice";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { failure, rawCall } from "./calls.harness.js";
import { sandboxCloud } from "../../../src/azure/cloud.js";

const run = promisify(execFile);

async function client(sb: TestSandbox): Promise<ContainerServiceClient> {
  return new ContainerServiceClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
}

describe("managedClusters with instant latency", () => {
  let sb: TestSandbox;
  let aks: ContainerServiceClient;
  beforeAll(async () => {
    sb = await startTestSandbox();
    aks = await client(sb);
  });
  afterAll(async () => sb?.stop());

  it("lists and gets the seeded cluster, OIDC issuer and workload identity off", async () => {
    const all: ManagedCluster[] = [];
    for await (const c of aks.managedClusters.list()) all.push(c);
    const inGroup: ManagedCluster[] = [];
    for await (const c of aks.managedClusters.listByResourceGroup(sb.info.resourceGroup)) inGroup.push(c);
    expect(all.map((c) => c.name)).toEqual([sb.info.clusterName]);
    expect(inGroup.map((c) => c.name)).toEqual([sb.info.clusterName]);
    const c = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    expect(c.provisioningState).toBe("Succeeded");
    expect(c.oidcIssuerProfile?.enabled).toBe(false);
    expect(c.oidcIssuerProfile?.issuerURL).toBeUndefined();
    expect(c.securityProfile?.workloadIdentity?.enabled).not.toBe(true);
    expect(c.aadProfile).toBeUndefined();
    expect(c.agentPoolProfiles?.length).toBeGreaterThan(0);
    expect(c.identity).toMatchObject({ type: "SystemAssigned", tenantId: sb.info.tenantId });
    // AKS answers its IDs with "resourcegroups" in lower case
    expect(c.id).toBe(
      `/subscriptions/${sb.info.subscriptionId}/resourcegroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${sb.info.clusterName}`,
    );
  });

  it("answers a missing cluster with ResourceNotFound", async () => {
    const f = await failure(aks.managedClusters.get(sb.info.resourceGroup, "no-such-cluster"));
    expect(f.statusCode).toBe(404);
    expect(f.code).toBe("ResourceNotFound");
    expect(f.message).toContain("Microsoft.ContainerService/managedClusters/no-such-cluster");
  });

  it("refuses workload identity without the OIDC issuer", async () => {
    const c = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    const f = await failure(
      aks.managedClusters.beginCreateOrUpdateAndWait(sb.info.resourceGroup, sb.info.clusterName, {
        ...c,
        securityProfile: { workloadIdentity: { enabled: true } },
      }),
    );
    expect(f.statusCode).toBe(400);
    const after = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    expect(after.securityProfile?.workloadIdentity?.enabled).not.toBe(true);
  });

  it("enables OIDC issuer + workload identity with a GET-modify-PUT and gives an issuer URL with its trailing slash", async () => {
    const current = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    const updated = await aks.managedClusters.beginCreateOrUpdateAndWait(
      sb.info.resourceGroup,
      sb.info.clusterName,
      {
        ...current,
        tags: { purpose: "wi" },
        oidcIssuerProfile: { ...current.oidcIssuerProfile, enabled: true },
        securityProfile: { ...current.securityProfile, workloadIdentity: { enabled: true } },
      },
      { updateIntervalInMs: 10 },
    );
    expect(updated.provisioningState).toBe("Succeeded");
    expect(updated.oidcIssuerProfile?.enabled).toBe(true);
    const issuer = updated.oidcIssuerProfile?.issuerURL ?? "";
    const guid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
    expect(issuer).toMatch(new RegExp(`^${sb.info.oidcBase.replace(/[.]/g, "\\.")}/${sb.info.tenantId}/${guid}/$`));
    expect(updated.securityProfile?.workloadIdentity?.enabled).toBe(true);
    expect(updated.tags).toEqual({ purpose: "wi" });

    // The world the kube side reads: body flags and the moments they came on.
    const record = sb.sandbox.world.cluster();
    expect(record.body.properties.securityProfile.workloadIdentity.enabled).toBe(true);
    expect(typeof record.workloadIdentityEnabledAt).toBe("number");
    expect(typeof record.oidcIssuerEnabledAt).toBe("number");

    // A second full round trip keeps the issuer URL (read-only) and changes nothing else.
    const again = await aks.managedClusters.beginCreateOrUpdateAndWait(
      sb.info.resourceGroup,
      sb.info.clusterName,
      await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName),
      { updateIntervalInMs: 10 },
    );
    expect(again.oidcIssuerProfile?.issuerURL).toBe(issuer);
  });

  it("refuses to disable the OIDC issuer once on", async () => {
    const c = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    expect(c.oidcIssuerProfile?.enabled).toBe(true);
    const f = await failure(
      aks.managedClusters.beginCreateOrUpdateAndWait(sb.info.resourceGroup, sb.info.clusterName, {
        ...c,
        oidcIssuerProfile: { enabled: false },
        securityProfile: { workloadIdentity: { enabled: false } },
      }),
    );
    expect(f.statusCode).toBe(400);
    expect(f.code).toBe("OIDCIssuerFeatureCannotBeDisabled");
    expect((await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName)).oidcIssuerProfile?.enabled).toBe(true);
  });

  it("updates tags with PATCH as an operation too, keeping the rest", async () => {
    const done = await aks.managedClusters.beginUpdateTagsAndWait(
      sb.info.resourceGroup,
      sb.info.clusterName,
      { tags: { team: "platform" } },
      { updateIntervalInMs: 10 },
    );
    expect(done.tags).toEqual({ team: "platform" });
    expect(done.provisioningState).toBe("Succeeded");
    expect(done.oidcIssuerProfile?.enabled).toBe(true);
  });

  it("returns user and admin kubeconfigs that the real kubectl accepts", async () => {
    const user = await aks.managedClusters.listClusterUserCredentials(sb.info.resourceGroup, sb.info.clusterName);
    const admin = await aks.managedClusters.listClusterAdminCredentials(sb.info.resourceGroup, sb.info.clusterName);
    expect(user.kubeconfigs?.map((k) => k.name)).toEqual(["clusterUser"]);
    expect(admin.kubeconfigs?.map((k) => k.name)).toEqual(["clusterAdmin"]);
    const file = join(sb.dir, "kubeconfig-from-arm");
    writeFileSync(file, Buffer.from(user.kubeconfigs![0].value!), { mode: 0o600 });
    const { stdout } = await run("kubectl", ["--kubeconfig", file, "get", "ns", "-o", "name"], { env: { ...process.env, HOME: sb.dir } });
    expect(stdout).toContain("namespace/default");
  });
});

describe("managedClusters while an update runs", () => {
  let sb: TestSandbox;
  let aks: ContainerServiceClient;
  beforeAll(async () => {
    sb = await startTestSandbox({ latency: { clusterUpdateMs: 1500 } });
    aks = await client(sb);
  });
  afterAll(async () => sb?.stop());

  it("shows Updating, answers 409 OperationNotAllowed to a second PUT, then Succeeded", async () => {
    const c = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    const started = Date.now();
    const poller = await aks.managedClusters.beginCreateOrUpdate(sb.info.resourceGroup, sb.info.clusterName, {
      ...c,
      oidcIssuerProfile: { enabled: true },
    });
    expect(poller.isDone()).toBe(false);
    const during = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    expect(during.provisioningState).toBe("Updating");
    expect(during.oidcIssuerProfile?.enabled).toBe(false);

    const f = await failure(aks.managedClusters.beginCreateOrUpdate(sb.info.resourceGroup, sb.info.clusterName, c));
    expect(f.statusCode).toBe(409);
    expect(f.code).toBe("OperationNotAllowed");

    const done = await poller.pollUntilDone();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
    expect(done.provisioningState).toBe("Succeeded");
    expect(done.oidcIssuerProfile?.enabled).toBe(true);
    expect(done.oidcIssuerProfile?.issuerURL).toMatch(/\/$/);
  });

  it("a PUT that creates answers 201 Creating; its operation is InProgress, then Succeeded", async () => {
    const cred = await operatorCredential(sb);
    const token = (await cred.getToken(sandboxCloud(sb.dir).armScope))!.token;
    const seeded = await aks.managedClusters.get(sb.info.resourceGroup, sb.info.clusterName);
    const path = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/aks-second?api-version=2025-10-01`;
    const body = { location: seeded.location, properties: { dnsPrefix: "aks-second", agentPoolProfiles: seeded.agentPoolProfiles } };
    const put = await rawCall(sb, "PUT", path, { token, body: JSON.stringify(body) });
    expect(put.status).toBe(201);
    expect(put.json.properties.provisioningState).toBe("Creating");
    expect(put.json.id).toBe(
      `/subscriptions/${sb.info.subscriptionId}/resourcegroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/aks-second`,
    );
    const op = String(put.headers["azure-asyncoperation"]).slice(sb.info.armEndpoint.length);
    const during = await rawCall(sb, "GET", op, { token });
    expect(during.json).toMatchObject({ status: "InProgress" });
    expect(during.json.endTime).toBeUndefined();
    const created = await aks.managedClusters.get(sb.info.resourceGroup, "aks-second");
    expect(created.provisioningState).toBe("Creating");
    await new Promise((r) => setTimeout(r, 1600));
    expect((await rawCall(sb, "GET", op, { token })).json).toMatchObject({ status: "Succeeded" });
    expect((await aks.managedClusters.get(sb.info.resourceGroup, "aks-second")).provisioningState).toBe("Succeeded");
  });
});

describe("managedClusters across a restart", () => {
  it("finishes an operation that was running when the sandbox stopped", async () => {
    const dir = mkdtempSync(join(tmpdir(), "aks-wi-arm-restart-"));
    try {
      const first = await startTestSandbox({ dir, latency: { clusterUpdateMs: 800 } });
      const aks1 = await client(first);
      const c = await aks1.managedClusters.get(first.info.resourceGroup, first.info.clusterName);
      await aks1.managedClusters.beginCreateOrUpdate(first.info.resourceGroup, first.info.clusterName, { ...c, oidcIssuerProfile: { enabled: true } });
      await first.stop();

      await new Promise((r) => setTimeout(r, 900));
      const second = await startTestSandbox({ dir });
      try {
        // the kube side reads the stored body directly: it must already be settled
        expect(second.sandbox.world.cluster().body.properties.provisioningState).toBe("Succeeded");
        const after = await (await client(second)).managedClusters.get(second.info.resourceGroup, second.info.clusterName);
        expect(after.provisioningState).toBe("Succeeded");
        expect(after.oidcIssuerProfile?.enabled).toBe(true);
        expect(after.oidcIssuerProfile?.issuerURL).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}\/[0-9a-f-]{36}\/$/);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
