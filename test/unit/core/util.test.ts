// The small helpers of src/core: boolean and list variables, process liveness, service account subjects.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseBool, pidAlive, splitList } from "../../../src/core/util.js";
import { parseServiceAccountSubject, serviceAccountSubject } from "../../../src/core/workload-identity.js";

describe("util", () => {
  it.each<[string | undefined, boolean | undefined]>([
    ["true", true],
    ["1", true],
    ["YES", true],
    ["on", true],
    ["false", false],
    ["0", false],
    ["no", false],
    ["Off", false],
    ["", undefined],
    [undefined, undefined],
    ["maybe", undefined],
  ])("parseBool(%j) is %j", (v, want) => {
    expect(parseBool(v)).toBe(want);
  });

  it("splitList: commas or newlines, trimmed, no empties", () => {
    expect(splitList(" Reader, Key Vault Secrets User\n,Owner ")).toEqual(["Reader", "Key Vault Secrets User", "Owner"]);
    expect(splitList(undefined)).toEqual([]);
  });

  it("pidAlive: ours yes, an exited one no", () => {
    expect(pidAlive(process.pid)).toBe(true);
    const gone = Number(spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout);
    expect(pidAlive(gone)).toBe(false);
  });
});

describe("service account subjects", () => {
  it("round-trip, and other subjects are not a service account's", () => {
    expect(serviceAccountSubject("ns", "sa")).toBe("system:serviceaccount:ns:sa");
    expect(parseServiceAccountSubject("system:serviceaccount:ns:sa:x")).toEqual({ namespace: "ns", name: "sa:x" });
    expect(parseServiceAccountSubject("repo:org/app:ref:refs/heads/main")).toBeUndefined();
    expect(parseServiceAccountSubject("system:serviceaccount:nocolon")).toBeUndefined();
  });
});
