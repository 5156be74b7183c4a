// The raw read-modify-write of a managed cluster against the sandbox, through a real SDK client's
// pipeline: the PUT carries every field of the GET (unknown ones included) and If-Match, and only
// the two workload-identity flags change.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { putCluster, readCluster, withWorkloadIdentity } from "../../src/azure/cluster-raw.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { recordArm } from "../helpers/arm-recorder.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let client: ContainerServiceClient;
let id: string;
let arm: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  const profile = sandboxCloud(sb.dir);
  client = new ContainerServiceClient(profile.credential(), sb.info.subscriptionId, profile.clientOptions());
  arm = profile.armEndpoint;
  id = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${sb.info.clusterName}`;
});
afterAll(async () => {
  await sb?.stop();
});

describe("raw cluster update", () => {
  it("reads the cluster with its eTag and PUTs back every field with only the two flags changed", async () => {
    const before = await readCluster(client, arm, id, "2025-10-01");
    expect(before?.etag).toBeTruthy();
    const body = withWorkloadIdentity(before!.body);
    const props = body.properties as Record<string, any>;
    expect(props.oidcIssuerProfile.enabled).toBe(true);
    expect(props.securityProfile.workloadIdentity.enabled).toBe(true);
    // Everything else is the GET's, key for key.
    const strip = (b: Record<string, any>) => {
      const p = { ...b.properties };
      delete p.oidcIssuerProfile;
      delete p.securityProfile;
      return { ...b, properties: p };
    };
    expect(strip(body)).toEqual(strip(before!.body));

    const rec = recordArm(Number(new URL(arm).port));
    let accepted = 0;
    const after = await putCluster(client, arm, id, "2025-10-01", body, before!.etag, { onAccepted: () => accepted++, pollIntervalMs: 10 });
    rec.stop();
    expect(accepted).toBe(1);
    const put = rec.log.find((r) => r.method === "PUT");
    expect(put?.headers["if-match"]).toBe(before!.etag);
    const aft = after.properties as Record<string, any>;
    expect(aft.oidcIssuerProfile.enabled).toBe(true);
    expect(aft.oidcIssuerProfile.issuerURL).toMatch(/^https:\/\/.*\/$/);
    expect(aft.securityProfile.workloadIdentity.enabled).toBe(true);
  });
});
