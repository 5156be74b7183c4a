// Issue 10: every Kubernetes request aks-wi makes has a time limit (src/kube/retry.ts,
// DEFAULT_KUBE_TIMEOUT_MS; AKS_WI_KUBE_TIMEOUT in seconds). A request slower than the limit is
// retried with its progress line and init converges; an API server that never answers (a TCP
// listener that accepts and stays silent) ends the run within a bounded time with one line, and
// the exec WebSocket's handshake is bounded the same way; verify then says "could not check" (exit 5).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/kube/connect.js";
import { podExec } from "../../src/kube/exec.js";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { runCli, tempDir, vaultId } from "../helpers/init-cli.harness.js";

let sb: TestSandbox;
let silent: Server;
const sockets = new Set<Socket>();
let silentKubeconfig: string;
const cwds: string[] = [];

beforeAll(async () => {
  // The first two Kubernetes requests take 3 s: longer than the 1 s limit the CLI gets below.
  sb = await startTestSandbox({ faults: "kube.slow=1x2,slow-ms=3000" });
  silent = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const port = (silent.address() as { port: number }).port;
  // The sandbox's kubeconfig, its server moved to the silent listener.
  silentKubeconfig = join(sb.dir, "silent.kubeconfig");
  writeFileSync(silentKubeconfig, readFileSync(sb.info.kubeconfig, "utf8").replace(/server: https:\/\/127\.0\.0\.1:\d+/, `server: https://127.0.0.1:${port}`));
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => silent.close(() => r()));
  await sb.stop();
  for (const d of cwds) rmSync(d, { recursive: true, force: true });
});

const cwd = () => {
  const d = tempDir("aks-wi-kube-timeout-");
  cwds.push(d);
  return d;
};

const initArgs = (dir: string) => [
  "init",
  "--sandbox",
  "--sandbox-dir",
  dir,
  "--yes",
  "--identity",
  "id-app",
  "--namespace",
  "app",
  "--service-account",
  "sa-app",
  "--role",
  "Key Vault Secrets User",
  "--scope",
  vaultId(dir),
  "--no-test-pod",
];

describe("a Kubernetes request slower than the time limit", () => {
  it("is retried with its progress line, and init converges", { timeout: 90_000 }, async () => {
    const r = await runCli(initArgs(sb.dir), { cwd: cwd(), env: { AKS_WI_KUBE_TIMEOUT: "1" } });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stdout).toContain("Workload identity is set up.");
    expect(r.stdout).toMatch(/^\s*(?:↻ )?Kubernetes API timed out after 1 s, retry 1\/2 in \d+\.\d s \(.+\)$/m);
    expect(sb.sandbox.faults.injected()["kube.slow"]).toBe(2);
  });
});

describe("a Kubernetes API server that never answers", () => {
  it("ends init within a bounded time, with one line naming the call and the time limit", { timeout: 60_000 }, async () => {
    const t0 = Date.now();
    const r = await runCli([...initArgs(sb.dir), "--kubeconfig", silentKubeconfig], { cwd: cwd(), env: { AKS_WI_KUBE_TIMEOUT: "0.5" } });
    const seconds = (Date.now() - t0) / 1000;
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(1);
    // Three attempts of 0.5 s and two backoffs of at most 0.5 and 1 s, plus the CLI's own start.
    expect(seconds).toBeLessThan(20);
    expect(r.stderr).toMatch(/no answer from the API server \(timed out after 0\.5 s\)/);
    expect(r.stderr).toMatch(/AKS_WI_KUBE_TIMEOUT/);
    expect(r.stderr).not.toMatch(/AbortError|at .+\.js:\d+/);
    expect(r.stdout).toMatch(/Kubernetes API timed out after 0\.5 s, retry 2\/2/);
  });

  it("makes verify's Kubernetes checks 'could not check' (exit 5), not FAIL, within a bounded time", { timeout: 60_000 }, async () => {
    const t0 = Date.now();
    const r = await runCli(
      ["verify", "--sandbox", "--sandbox-dir", sb.dir, "--kubeconfig", silentKubeconfig, "--namespace", "app", "--service-account", "sa-app"],
      {
        cwd: cwd(),
        env: { AKS_WI_KUBE_TIMEOUT: "0.5" },
      },
    );
    // The first test left the cluster set up: only the Kubernetes side cannot be checked.
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(5);
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(r.stdout).toMatch(/^UNKNOWN\s+service account\s+could not check \(transient\): .*timed out after 0\.5 s/m);
    expect(r.stdout).toMatch(/^UNKNOWN\s+pod\s+could not check \(transient\): .*timed out after 0\.5 s/m);
    expect(r.stdout).not.toMatch(/^FAIL/m);
  });

  it("bounds the exec WebSocket's handshake: a transient failure naming the time limit", { timeout: 30_000 }, async () => {
    const exec = podExec(connect(readFileSync(silentKubeconfig, "utf8"), undefined, { timeoutMs: 300 }), undefined, {
      retryPolicy: { baseDelayMs: 10 },
    });
    const t0 = Date.now();
    const r = await exec("app", "any", "main", ["true"]);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(r.error).toBe("timed out after 0.3 s");
    expect(r.transient).toBe(true);
  });

  it("refuses a bad AKS_WI_KUBE_TIMEOUT as an input mistake, before anything changes", { timeout: 30_000 }, async () => {
    const r = await runCli([...initArgs(sb.dir), "--kubeconfig", silentKubeconfig], { cwd: cwd(), env: { AKS_WI_KUBE_TIMEOUT: "soon" } });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(/AKS_WI_KUBE_TIMEOUT must be a positive number of seconds, got "soon"/);
  });
});
