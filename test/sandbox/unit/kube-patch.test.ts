// The three PATCH flavours.
import { describe, expect, it } from "vitest";
import { jsonPatch, mergePatch, strategicMergePatch } from "../../../sandbox/kube/patch.js";

describe("patches", () => {
  it("merge patch sets, replaces lists and deletes with null", () => {
    expect(mergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { c: null, d: 3 }, l: [3] })).toEqual({ a: { b: 1, d: 3 }, l: [3] });
  });
  it("strategic merge patch merges containers and env by name", () => {
    const pod = {
      spec: {
        containers: [
          { name: "a", image: "x", env: [{ name: "A", value: "1" }] },
          { name: "b", image: "y" },
        ],
      },
    };
    const out = strategicMergePatch(pod, {
      spec: {
        containers: [
          { name: "a", env: [{ name: "B", value: "2" }] },
          { name: "b", $patch: "delete" },
        ],
      },
    });
    expect(out).toEqual({
      spec: {
        containers: [
          {
            name: "a",
            image: "x",
            env: [
              { name: "A", value: "1" },
              { name: "B", value: "2" },
            ],
          },
        ],
      },
    });
  });
  it("json patch applies add/replace/remove/test and reports failures", () => {
    const r = jsonPatch({ metadata: { annotations: {} } }, [
      { op: "add", path: "/metadata/annotations/azure.workload.identity~1client-id", value: "cid" },
      { op: "test", path: "/metadata/annotations/azure.workload.identity~1client-id", value: "cid" },
    ]);
    expect(r).toEqual({ ok: true, value: { metadata: { annotations: { "azure.workload.identity/client-id": "cid" } } } });
    expect(jsonPatch({}, [{ op: "remove", path: "/nope" }]).ok).toBe(false);
    expect(jsonPatch({}, { op: "add" }).ok).toBe(false);
  });
});
