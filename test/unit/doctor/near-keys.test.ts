import { describe, expect, it } from "vitest";
import { editDistance, nearKeys } from "../../../src/doctor/near-keys.js";

describe("nearKeys", () => {
  it("catches verify's typos and keys a couple of edits from the real one", () => {
    expect(nearKeys({ "azure.workload.identity/client_id": "x" })).toEqual(["azure.workload.identity/client_id"]);
    expect(nearKeys({ "azure.workload.idenity/client-id": "x" })).toEqual(["azure.workload.idenity/client-id"]);
    expect(nearKeys({ "azure.workload.identity/client-ids": "x" })).toEqual(["azure.workload.identity/client-ids"]);
    expect(nearKeys({ "Azure.Workload.Identity/ClientId": "x" })).toEqual(["Azure.Workload.Identity/ClientId"]);
  });

  it("leaves the real key, the other workload-identity annotations and unrelated keys alone", () => {
    expect(
      nearKeys({
        "azure.workload.identity/client-id": "x",
        "azure.workload.identity/tenant-id": "t",
        "azure.workload.identity/service-account-token-expiration": "3600",
        "kubectl.kubernetes.io/last-applied-configuration": "{}",
      }),
    ).toEqual([]);
  });

  it("counts edits as Levenshtein does", () => {
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});
