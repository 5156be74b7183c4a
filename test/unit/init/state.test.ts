// The state store: atomic private writes, a lock against concurrent runs (with a clear error and
// take-over of a killed run's lock), and never a token or secret.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import {
  assertNoSecrets,
  defaultStatePath,
  emptyState,
  latestState,
  locateState,
  lockState,
  processStart,
  readState,
  writeStateAtomic,
  type StateLock,
} from "../../../src/init/state.js";

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

describe("where a cluster's state file is", () => {
  const T = { subscription: "sub-a", resourceGroup: "rg", cluster: "aks" };
  const file = (dir: string) => join(dir, "state.json");
  async function written(cwd: string, cloud: string, t: typeof T, updatedAt?: string) {
    const { path } = await locateState(file, cwd, cloud, t);
    const s = emptyState(cloud);
    s.inputs = { ...t, identity: `id-${cloud}-${t.subscription}` };
    await writeStateAtomic(path, s);
    if (updatedAt) writeFileSync(path, JSON.stringify({ ...JSON.parse(readFileSync(path, "utf8")), updatedAt }));
    return path;
  }

  it("two sandboxes or subscriptions with a cluster of one name never share a file, and each finds its own again", async () => {
    const cwd = tmp();
    const a = await written(cwd, "sandbox", T);
    const b = await written(cwd, "sandbox", { ...T, subscription: "sub-b" });
    const c = await written(cwd, "AzureCloud", T);
    expect(a).toBe(join(cwd, ".aks-wi", "aks", "state.json"));
    expect(new Set([a, b, c]).size).toBe(3);
    expect(b).toBe(join(cwd, ".aks-wi", "aks@sandbox.sub-b.rg", "state.json"));
    expect((await locateState(file, cwd, "sandbox", { ...T, subscription: "sub-b" })).state?.inputs.identity).toBe("id-sandbox-sub-b");
    expect((await locateState(file, cwd, "AzureCloud", T)).state?.inputs.identity).toBe("id-AzureCloud-sub-a");
    expect((await locateState(file, cwd, "sandbox", { ...T, resourceGroup: "RG" })).path).toBe(a);
  });

  it("with nothing named, the newest state of this cloud in the working directory", async () => {
    const cwd = tmp();
    expect(await latestState(cwd, "sandbox")).toBeUndefined();
    await written(cwd, "sandbox", T, "2026-01-01T00:00:00.000Z");
    const newer = await written(cwd, "sandbox", { ...T, cluster: "aks-2" }, "2026-06-01T00:00:00.000Z");
    await written(cwd, "AzureCloud", { ...T, cluster: "aks-3" }, "2026-12-01T00:00:00.000Z");
    expect((await latestState(cwd, "sandbox"))?.path).toBe(newer);
  });
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
  const strangers: ChildProcess[] = [];
  afterEach(() => {
    for (const c of strangers.splice(0)) c.kill("SIGKILL");
  });
  const owner = (path: string) => JSON.parse(readFileSync(`${path}.lock`, "utf8"));
  const liveStranger = () => {
    const c = spawn("sleep", ["60"], { stdio: "ignore" });
    strangers.push(c);
    return c.pid!;
  };

  it("a second run on the same state gets a clear error naming the holder's pid and the file to delete (exit 1)", async () => {
    const path = join(tmp(), ".aks-wi", "aks-a", "state.json");
    locks.push(await lockState(path));
    const e = await lockState(path).then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).kind).toBe("failed");
    expect((e as Error).message).toBe(`another aks-wi init is running on ${path} (pid ${process.pid}, since ${owner(path).startedAt})`);
    expect((e as UserError).suggestion).toContain(`delete ${path}.lock`);
  });

  it("the lock file holds its owner: pid, host, the process's start time and the command", async () => {
    const path = join(tmp(), "state.json");
    locks.push(await lockState(path));
    const o = owner(path);
    expect(o).toMatchObject({ pid: process.pid, host: hostname(), processStart: await processStart(process.pid) });
    expect(o.processStart).toMatch(/^[0-9a-f-]+:\d+$/);
    expect(typeof o.command).toBe("string");
    expect(statSync(`${path}.lock`).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(path)).sort()).toEqual(["state.json.lock"]); // no temp file left
  });

  it("is free again after release, and a run that wrote nothing leaves no directory", async () => {
    const root = tmp();
    const path = join(root, ".aks-wi", "aks-a", "state.json");
    const l = await lockState(path);
    await l.release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
    const again = await lockState(path);
    locks.push(again);
    expect(owner(path).pid).toBe(process.pid);
  });

  it("takes over the lock of a run that was killed (its pid is gone), saying so", async () => {
    const path = join(tmp(), "state.json");
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout);
    writeFileSync(`${path}.lock`, JSON.stringify({ pid: deadPid, host: hostname(), startedAt: new Date().toISOString() }));
    const said = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      locks.push(await lockState(path));
      expect(String(said.mock.calls[0]?.[0])).toBe(
        `note: took over the lock on ${path} from a run that ended without releasing it (pid ${deadPid} is no longer running)\n`,
      );
    } finally {
      said.mockRestore();
    }
    expect(owner(path).pid).toBe(process.pid);
  });

  it("takes over a lock whose pid now runs another process (its start time differs), saying so", async () => {
    const path = join(tmp(), "state.json");
    const pid = liveStranger();
    const start = await processStart(pid);
    expect(start).toBeDefined();
    const earlier = start!.replace(/:(\d+)$/, (_m, t: string) => `:${Number(t) - 1}`);
    writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z", processStart: earlier }));
    const said = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      locks.push(await lockState(path));
      expect(String(said.mock.calls[0]?.[0])).toContain(`(pid ${pid} now runs another process)`);
    } finally {
      said.mockRestore();
    }
    expect(owner(path).pid).toBe(process.pid);
    expect(() => process.kill(pid, 0)).not.toThrow(); // the stranger is left alone
  });

  it("does not take over a live holder's lock in another process", async () => {
    const path = join(tmp(), "state.json");
    const pid = liveStranger();
    writeFileSync(`${path}.lock`, JSON.stringify({ pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z", processStart: await processStart(pid) }));
    await expect(lockState(path)).rejects.toThrow(`another aks-wi init is running on ${path} (pid ${pid}, since 2026-01-01T00:00:00.000Z)`);
  });

  it("a lock that cannot be judged names exactly the file to delete", async () => {
    for (const make of [(f: string) => writeFileSync(f, ""), (f: string) => mkdirSync(f)]) {
      const path = join(tmp(), "state.json");
      make(`${path}.lock`);
      const e = (await lockState(path).then(
        () => undefined,
        (x: unknown) => x,
      )) as UserError;
      expect(e).toBeInstanceOf(UserError);
      expect(e.message).toMatch(new RegExp(`^the state file ${path} is locked, and whether its holder still runs cannot be told: `));
      expect(e.suggestion).toBe(`if no aks-wi init is running on it, delete ${path}.lock and re-run`);
    }
  });

  it("a lock under /proc fails at once with a sentence", async () => {
    const t0 = Date.now();
    const e = (await lockState("/proc/x/state.json").then(
      () => undefined,
      (x: unknown) => x,
    )) as UserError;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e).toBeInstanceOf(UserError);
    expect(e.kind).toBe("usage");
    expect(e.message).toBe("the state file's directory /proc/x is under /proc, where no file can be written");
  });
});
