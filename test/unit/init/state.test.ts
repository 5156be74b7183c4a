// The state store: atomic private writes, a lock against concurrent runs (with a clear error and
// take-over of a killed run's lock), and never a token or secret.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { assertNoSecrets, defaultStatePath, emptyState, lockState, readState, writeStateAtomic, type StateLock } from "../../../src/init/state.js";

const dirs: string[] = [];
const locks: StateLock[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "aks-wi-state-"));
  dirs.push(d);
  return d;
};
afterEach(async () => {
  for (const l of locks.splice(0)) await l.release().catch(() => {});
});

describe("state file", () => {
  it("defaults to .aks-wi/<cluster>/state.json under the working directory", () => {
    expect(defaultStatePath("aks-a", "/w")).toBe("/w/.aks-wi/aks-a/state.json");
  });

  it("writes atomically: mode 0600 in a 0700 directory, no temp file left, reads back", async () => {
    const path = join(tmp(), ".aks-wi", "aks-a", "state.json");
    const s = emptyState("sandbox");
    s.inputs = { cluster: "aks-a", identity: "id-a" };
    s.steps.cluster = { status: "done", at: "t", change: "none" };
    await writeStateAtomic(path, s);
    s.steps.issuer = { status: "failed", at: "t", change: "update", message: "boom" };
    await writeStateAtomic(path, s);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(path, ".."))).toEqual(["state.json"]);
    const back = await readState(path);
    expect(back).toMatchObject({ version: 1, cloud: "sandbox", inputs: { identity: "id-a" }, steps: { issuer: { status: "failed", message: "boom" } } });
  });

  it("keeps the old file intact when a write fails midway (temp + rename)", async () => {
    const path = join(tmp(), "state.json");
    await writeStateAtomic(path, { ...emptyState("sandbox"), inputs: { identity: "old" } });
    const bad = emptyState("sandbox") as unknown as Record<string, unknown>;
    bad.outputs = { big: 1n }; // JSON.stringify throws after the temp file is open
    await expect(writeStateAtomic(path, bad as never)).rejects.toThrow(/BigInt/);
    expect(JSON.parse(readFileSync(path, "utf8")).inputs.identity).toBe("old");
    expect(readdirSync(join(path, ".."))).toEqual(["state.json"]);
  });

  it("missing file reads as undefined; a corrupt or foreign file is a clear usage error", async () => {
    const d = tmp();
    expect(await readState(join(d, "none.json"))).toBeUndefined();
    writeFileSync(join(d, "bad.json"), "{not json");
    await expect(readState(join(d, "bad.json"))).rejects.toThrow(/not valid JSON/);
    writeFileSync(join(d, "other.json"), JSON.stringify({ hello: 1 }));
    await expect(readState(join(d, "other.json"))).rejects.toThrow(/not an aks-wi state file/);
  });

  it.each([
    [{ inputs: { roles: "notalist" } }, "inputs.roles must be a list of {role, scope} strings"],
    [{ inputs: { roles: [{ role: "Reader" }] } }, "inputs.roles must be a list of {role, scope} strings"],
    [{ inputs: { identity: 12345 } }, "inputs.identity must be a string"],
    [{ inputs: { testPod: "yes" } }, "inputs.testPod must be true or false"],
    [{ steps: [] }, "steps must be an object"],
  ])("a damaged field is a usage error naming it: %j", async (over, message) => {
    const path = join(tmp(), "state.json");
    writeFileSync(path, JSON.stringify({ version: 1, cloud: "sandbox", inputs: {}, steps: {}, outputs: {}, ...over }));
    const e = await readState(path).catch((x) => x);
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe("usage");
    expect(e.message).toBe(`state file ${path}: ${message}`);
  });

  it("refuses to store a token or secret", async () => {
    const path = join(tmp(), "state.json");
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln";
    expect(() => assertNoSecrets({ outputs: { note: jwt } })).toThrow(/token/);
    expect(() => assertNoSecrets({ outputs: { clientSecret: "s3cret" } })).toThrow(/secret/);
    expect(() => assertNoSecrets({ a: [{ accessToken: "x" }] })).toThrow(/a\[0\]\.accessToken/);
    expect(() => assertNoSecrets({ outputs: { identity: { clientId: "c", principalId: "p", tenantId: "t" } } })).not.toThrow();
    const s = emptyState("sandbox");
    (s.outputs as Record<string, unknown>).kubeconfig = "apiVersion: v1";
    await expect(writeStateAtomic(path, s)).rejects.toThrow(/secret/);
    expect(() => statSync(path)).toThrow();
  });
});

describe("lock", () => {
  it("a second run on the same state gets a clear error naming the holder's pid (exit 1)", async () => {
    const path = join(tmp(), ".aks-wi", "aks-a", "state.json");
    locks.push(await lockState(path));
    const e = await lockState(path).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).kind).toBe("failed");
    expect((e as Error).message).toBe(`another aks-wi init is running on ${path} (pid ${process.pid}, since ${JSON.parse(readFileSync(`${path}.owner`, "utf8")).startedAt})`);
  });

  it("is free again after release", async () => {
    const path = join(tmp(), "state.json");
    const l = await lockState(path);
    await l.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(existsSync(`${path}.owner`)).toBe(false);
    const again = await lockState(path);
    locks.push(again);
    expect(JSON.parse(readFileSync(`${path}.owner`, "utf8")).pid).toBe(process.pid);
  });

  it("takes over the lock of a run that was killed (its pid is gone)", async () => {
    const path = join(tmp(), "state.json");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout);
    mkdirSync(`${path}.lock`);
    writeFileSync(`${path}.owner`, JSON.stringify({ pid: deadPid, host: hostname(), startedAt: new Date().toISOString() }));
    const l = await lockState(path);
    locks.push(l);
    expect(JSON.parse(readFileSync(`${path}.owner`, "utf8")).pid).toBe(process.pid);
  });

  it("does not take over a live holder's lock in another process", async () => {
    const path = join(tmp(), "state.json");
    mkdirSync(`${path}.lock`);
    // pid 1 is alive on every system (and never ours).
    writeFileSync(`${path}.owner`, JSON.stringify({ pid: 1, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" }));
    await expect(lockState(path)).rejects.toThrow(`another aks-wi init is running on ${path} (pid 1, since 2026-01-01T00:00:00.000Z)`);
  });
});
