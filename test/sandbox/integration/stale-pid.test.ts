// A sandbox.json left by a daemon that died (reboot, OOM kill) names a pid that may now be anyone's:
// `sandbox stop` and `status` must prove the pid is the sandbox before signalling or reporting it.
import { afterEach, describe, expect, it } from "vitest";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const BIN = join(process.cwd(), "bin", "aks-wi");
const cli = (args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 30_000 });

function staleInfo(pid: number, root: string) {
  return {
    tenantId: "t",
    subscriptionId: "s",
    subscriptionName: "s",
    resourceGroup: "rg",
    clusterName: "c",
    location: "l",
    armEndpoint: "https://127.0.0.1:1",
    authorityHost: "https://127.0.0.1:1",
    kubeServer: "https://127.0.0.1:1",
    oidcBase: "https://127.0.0.1:1",
    caFile: join(root, "ca.pem"),
    kubeconfig: join(root, "kubeconfig"),
    clientId: "c",
    clientSecret: "x",
    armAudience: "a",
    requestLog: join(root, "requests.jsonl"),
    ports: { arm: 1, login: 1, kube: 1, oidc: 1 },
    pid,
    startedAt: new Date().toISOString(),
    latency: "instant",
    rtt: { arm: 0, login: 0, kube: 0, oidc: 0 },
    faults: "",
  };
}

describe("a stale sandbox.json naming an unrelated live process", () => {
  let stranger: ChildProcess | undefined;
  let root: string | undefined;
  afterEach(() => {
    stranger?.kill("SIGKILL");
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it("leaves the process alone on stop and status, and only removes the stale file", async () => {
    root = mkdtempSync(join(tmpdir(), "aks-wi-stale-"));
    const dir = join(root, "sb");
    mkdirSync(dir);
    stranger = spawn("sleep", ["60"], { stdio: "ignore" });
    let exited = false;
    stranger.on("exit", () => (exited = true));
    writeFileSync(join(dir, "sandbox.json"), JSON.stringify(staleInfo(stranger.pid!, root)), { mode: 0o600 });

    const st = cli(["sandbox", "status", "--dir", dir]);
    expect(st.status).toBe(1);
    expect(st.stdout).toContain("sandbox: stopped");

    const r = cli(["sandbox", "stop", "--dir", dir]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`no sandbox was running in ${dir}`);
    expect(r.stdout).toContain(`pid ${stranger.pid} is not this sandbox`);
    expect(existsSync(join(dir, "sandbox.json"))).toBe(false);
    await new Promise((res) => setTimeout(res, 200));
    expect(exited).toBe(false);
    expect(() => process.kill(stranger!.pid!, 0)).not.toThrow();
  });

  it("a `{}` sandbox.json is no sandbox either", () => {
    root = mkdtempSync(join(tmpdir(), "aks-wi-stale-"));
    writeFileSync(join(root, "sandbox.json"), "{}");
    const r = cli(["sandbox", "stop", "--dir", root]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("no sandbox was running");
  });
});
