// AKS's optimistic concurrency through the real @azure/arm-containerservice client: the cluster's
// read-only eTag (and its agent pools'), new on every accepted write; If-Match and If-None-Match
// through the SDK's own options, and raw requests sent through the SDK client's pipeline (its
// bearer-token policy and all), answered 412 PreconditionFailed in ARM's error body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerServiceClient, type ManagedCluster } from "@azure/arm-containerservice";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { failure } from "./calls.harness.js";

let sb: TestSandbox;
let aks: ContainerServiceClient;
let rg: string;
let name: string;
const poll = { updateIntervalInMs: 10 };

beforeAll(async () => {
  sb = await startTestSandbox();
  aks = new ContainerServiceClient(await operatorCredential(sb), sb.info.subscriptionId, sandboxCloud(sb.dir).clientOptions());
  rg = sb.info.resourceGroup;
  name = sb.info.clusterName;
});
afterAll(async () => sb?.stop());

const get = () => aks.managedClusters.get(rg, name);

/** A request through the SDK client's pipeline (token, retries, ARM's headers), for headers and
 *  bodies the typed operations would not send. */
async function viaPipeline(method: "GET" | "PUT" | "PATCH", body: unknown, headers: Record<string, string> = {}, cluster = name) {
  const url = `${sb.info.armEndpoint}/subscriptions/${sb.info.subscriptionId}/resourceGroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${cluster}?api-version=2025-10-01`;
  const res = await aks.sendRequest(
    createPipelineRequest({
      url,
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: createHttpHeaders({ "content-type": "application/json", ...headers }),
    }),
  );
  return { status: res.status, json: res.bodyAsText ? JSON.parse(res.bodyAsText) : undefined };
}

/** What a client sends back to update a cluster: its GET, with one change. */
const withTags = (c: ManagedCluster, tags: Record<string, string>): ManagedCluster => ({ ...c, tags });

describe("the managed cluster's eTag", () => {
  it("is on GET and the lists, a string for the cluster and each agent pool", async () => {
    const c = await get();
    expect(c.eTag).toMatch(/^[0-9a-f-]{36}$/);
    expect(c.agentPoolProfiles!.every((p) => typeof p.eTag === "string" && p.eTag !== c.eTag)).toBe(true);
    const listed: ManagedCluster[] = [];
    for await (const x of aks.managedClusters.listByResourceGroup(rg)) listed.push(x);
    expect(listed.map((x) => x.eTag)).toEqual([c.eTag]);
    expect((await get()).eTag).toBe(c.eTag); // reads change nothing
  });

  it("changes on every write (PUT and PATCH), pools' too, and a sent eTag is ignored (read-only)", async () => {
    const before = await get();
    const put = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, name, withTags(before, { round: "1" }), poll);
    expect(put.eTag).not.toBe(before.eTag);
    expect((await get()).eTag).toBe(put.eTag);
    expect(put.agentPoolProfiles![0].eTag).not.toBe(before.agentPoolProfiles![0].eTag);
    const patched = await aks.managedClusters.beginUpdateTagsAndWait(rg, name, { tags: { round: "2" } }, poll);
    expect(patched.eTag).not.toBe(put.eTag);
    const raw = await viaPipeline("PUT", { ...(await viaPipeline("GET", undefined)).json, eTag: "chosen-by-client" });
    expect(raw.status).toBe(200);
    expect(raw.json.eTag).not.toBe("chosen-by-client");
    expect(raw.json.eTag).not.toBe(patched.eTag);
  });
});

describe("If-Match", () => {
  it("a PUT with the current eTag (SDK option ifMatch) goes through; with an old one it is 412 PreconditionFailed and nothing changes", async () => {
    const current = await get();
    const ok = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, name, withTags(current, { v: "ok" }), { ...poll, ifMatch: current.eTag });
    expect(ok.tags).toEqual({ v: "ok" });
    const stale = await failure(
      aks.managedClusters.beginCreateOrUpdateAndWait(rg, name, withTags(current, { v: "stale" }), { ...poll, ifMatch: current.eTag }),
    );
    expect(stale.statusCode).toBe(412);
    expect(stale.code).toBe("PreconditionFailed");
    expect(stale.message).toBe(`Etag provided in if-match header "${current.eTag}" does not match etag "${ok.eTag}" of resource.`);
    const after = await get();
    expect({ tags: after.tags, eTag: after.eTag }).toEqual({ tags: { v: "ok" }, eTag: ok.eTag });
  });

  it("holds for updateTags (PATCH) too", async () => {
    const current = await get();
    const stale = await failure(
      aks.managedClusters.beginUpdateTagsAndWait(rg, name, { tags: { v: "patch" } }, { ...poll, ifMatch: "0f0f0f0f-0000-4000-8000-000000000000" }),
    );
    expect([stale.statusCode, stale.code]).toEqual([412, "PreconditionFailed"]);
    const ok = await aks.managedClusters.beginUpdateTagsAndWait(rg, name, { tags: { v: "patch" } }, { ...poll, ifMatch: current.eTag });
    expect(ok.tags).toEqual({ v: "patch" });
  });

  it("raw through the pipeline: ARM's error body; quotes around the tag and '*' match", async () => {
    const current = (await viaPipeline("GET", undefined)).json;
    const stale = await viaPipeline("PUT", { ...current, tags: { v: "raw" } }, { "If-Match": "not-the-etag" });
    expect(stale).toEqual({
      status: 412,
      json: {
        error: { code: "PreconditionFailed", message: `Etag provided in if-match header "not-the-etag" does not match etag "${current.eTag}" of resource.` },
      },
    });
    const quoted = await viaPipeline("PUT", { ...current, tags: { v: "quoted" } }, { "If-Match": `"${current.eTag}"` });
    expect(quoted.status).toBe(200);
    const any = await viaPipeline("PATCH", { tags: { v: "any" } }, { "If-Match": "*" });
    expect(any.status).toBe(200);
  });

  it("on a cluster that does not exist is 412 too, with AKS's words", async () => {
    const r = await viaPipeline("PUT", { location: sb.info.location }, { "If-Match": "*" }, "aks-absent");
    expect(r).toEqual({
      status: 412,
      json: {
        error: {
          code: "PreconditionFailed",
          message: "Resource not found but ETag header is provided. If this is a request to create, please do not provide ETag.",
        },
      },
    });
    await expect(aks.managedClusters.get(rg, "aks-absent")).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe("If-None-Match", () => {
  it("'*' on the existing cluster is 412 (SDK option ifNoneMatch); nothing changes", async () => {
    const current = await get();
    const r = await failure(aks.managedClusters.beginCreateOrUpdateAndWait(rg, name, withTags(current, { v: "none" }), { ...poll, ifNoneMatch: "*" }));
    expect([r.statusCode, r.code]).toEqual([412, "PreconditionFailed"]);
    expect((await get()).eTag).toBe(current.eTag);
  });

  it("'*' creates a cluster that does not exist yet; any other value is refused as invalid", async () => {
    const created = await aks.managedClusters.beginCreateOrUpdateAndWait(rg, "aks-new", { location: sb.info.location }, { ...poll, ifNoneMatch: "*" });
    expect(created.provisioningState).toBe("Succeeded");
    expect(created.eTag).toMatch(/^[0-9a-f-]{36}$/);
    const bad = await viaPipeline("PUT", { location: sb.info.location }, { "If-None-Match": "some-etag" }, "aks-other");
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("InvalidParameter");
  });
});

describe("a world saved before clusters had eTags", () => {
  it("gets one for its cluster at the next start", async () => {
    const { startSandbox } = await import("../../../sandbox/index.js");
    const own = await startTestSandbox();
    try {
      const c = own.sandbox.world.cluster();
      delete c.body.eTag;
      own.sandbox.world.save();
      await own.sandbox.stop();
      const again = await startSandbox({ dir: own.dir });
      try {
        expect(again.world.cluster().body.eTag).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await again.stop();
      }
    } finally {
      await own.stop();
    }
  });
});
