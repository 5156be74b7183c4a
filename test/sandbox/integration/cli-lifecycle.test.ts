// `aks-wi sandbox start|env|status|stop` as a user runs them: the built CLI, a background
// process, files on disk, and the real kubectl against the result.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { request } from "node:https";
import { join } from "node:path";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../../src/azure/cloud.js";

const BIN = join(process.cwd(), "bin", "aks-wi");
const cli = (args: string[], env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 30_000 });

describe("sandbox lifecycle", () => {
  let root: string;
  let dir: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "aks-wi-life-"));
    dir = join(root, "sb");
  });
  afterAll(() => {
    cli(["sandbox", "stop", "--dir", dir]);
    rmSync(root, { recursive: true, force: true });
  });

  it("starts in the background, writes sandbox.json (0600) with what clients need, and answers", () => {
    const r = cli(["sandbox", "start", "--dir", dir]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sandbox running \(pid \d+/);
    const info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    for (const k of [
      "tenantId",
      "subscriptionId",
      "resourceGroup",
      "clusterName",
      "location",
      "armEndpoint",
      "authorityHost",
      "caFile",
      "kubeconfig",
      "clientId",
      "clientSecret",
    ]) {
      expect(info[k], k).toBeTruthy();
    }
    expect(info.armEndpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(join(dir, "sandbox.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "ca-key.pem")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "state.json")).mode & 0o777).toBe(0o600);
    // The CLI never shows the operator's secret.
    expect(r.stdout).not.toContain(info.clientSecret);
    // It shows the seeded resources' IDs, which --scope and `az … --ids` take.
    expect(info.keyVaultId).toMatch(
      new RegExp(`^/subscriptions/${info.subscriptionId}/resourceGroups/rg-sandbox/providers/Microsoft\\.KeyVault/vaults/kv-sandbox-[0-9a-f]{6}$`),
    );
    expect(info.storageAccountId).toMatch(
      new RegExp(`^/subscriptions/${info.subscriptionId}/resourceGroups/rg-sandbox/providers/Microsoft\\.Storage/storageAccounts/stsandbox[0-9a-f]{6}$`),
    );
    expect(info.clusterId).toBe(
      `/subscriptions/${info.subscriptionId}/resourcegroups/rg-sandbox/providers/Microsoft.ContainerService/managedClusters/aks-sandbox`,
    );
    expect(r.stdout).toContain(`  Key Vault    ${info.keyVaultId}\n`);
    expect(r.stdout).toContain(`  storage      ${info.storageAccountId}\n`);
    expect(r.stdout).toContain(`               ${info.clusterId}\n`);
  });

  it("a second start reports the running one instead of starting another", () => {
    const pid = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")).pid;
    const r = cli(["sandbox", "start", "--dir", dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`already running in ${dir} (pid ${pid})`);
    // Faults or latency it is not running with would silently not apply: refused instead.
    const other = cli(["sandbox", "start", "--dir", dir, "--faults", "arm.429=1"]);
    expect(other.status).toBe(2);
    expect(other.stderr).toMatch(
      /^error: a sandbox is already running in .* with latency "instant" and no faults, not the ones asked for\n  hint: stop it first/,
    );
    // so would round trips it does not have (given as a flag or in the environment)
    const slower = cli(["sandbox", "start", "--dir", dir, "--rtt", "arm=50"]);
    expect(slower.status).toBe(2);
    expect(slower.stderr).toMatch(/^error: a sandbox is already running in .* with latency "instant" and no faults, not the ones asked for\n/);
    expect(cli(["sandbox", "start", "--dir", dir], { AKS_WI_SANDBOX_RTT: "kube=5" }).status).toBe(2);
    // asking for what it has is fine: instant's round trips are zero
    expect(cli(["sandbox", "start", "--dir", dir, "--rtt", "*=0"]).status).toBe(0);
  });

  it("env prints sh and json without the client secret; status shows it running", () => {
    const info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    const sh = cli(["sandbox", "env", "--dir", dir]);
    expect(sh.status).toBe(0);
    expect(sh.stdout).toContain(`export KUBECONFIG='${info.kubeconfig}'`);
    expect(sh.stdout).toContain(`export AZURE_TENANT_ID='${info.tenantId}'`);
    expect(sh.stdout).not.toContain(info.clientSecret);
    const json = JSON.parse(cli(["sandbox", "env", "--dir", dir, "--format", "json"]).stdout);
    expect(json.AZURE_AUTHORITY_HOST).toBe(info.authorityHost);
    expect(JSON.stringify(json)).not.toContain(info.clientSecret);
    expect(json).toMatchObject({
      AKS_WI_SANDBOX_CLUSTER_ID: info.clusterId,
      AKS_WI_SANDBOX_KEY_VAULT_ID: info.keyVaultId,
      AKS_WI_SANDBOX_STORAGE_ACCOUNT_ID: info.storageAccountId,
    });
    expect(sh.stdout).toContain(`export AKS_WI_SANDBOX_KEY_VAULT_ID='${info.keyVaultId}'`);
    const st = cli(["sandbox", "status", "--dir", dir]);
    expect(st.status).toBe(0);
    expect(st.stdout).toMatch(/running \(pid \d+/);
    expect(st.stdout).toMatch(/latency +instant +round trips \(ms\) arm=0,login=0,kube=0,oidc=0,graph=0\n/);
    expect(st.stdout).toContain(info.keyVaultId);
    const stJson = cli(["sandbox", "status", "--dir", dir, "-o", "json"]);
    expect(stJson.status).toBe(0);
    const shown = JSON.parse(stJson.stdout);
    expect(shown).toMatchObject({
      state: "running",
      dir,
      pid: info.pid,
      clusterId: info.clusterId,
      keyVaultId: info.keyVaultId,
      storageAccountId: info.storageAccountId,
      armEndpoint: info.armEndpoint,
    });
    expect(stJson.stdout).not.toContain(info.clientSecret);
  });

  it("keeps its state across stop and start (real kubectl, real ARM SDK)", async () => {
    const info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    const kubectl = (...a: string[]) => execFileSync("kubectl", ["--kubeconfig", info.kubeconfig, ...a], { encoding: "utf8" });
    kubectl("create", "namespace", "survivor");
    const msiClient = () => {
      const p = sandboxCloud(dir);
      return new ManagedServiceIdentityClient(p.credential(), info.subscriptionId, p.clientOptions());
    };
    const created = await msiClient().userAssignedIdentities.createOrUpdate(info.resourceGroup, "id-survivor", { location: info.location });
    // A token issued before the restart: Entra's signing key is kept, so ARM still accepts it.
    const p0 = sandboxCloud(dir);
    const token = (await p0.credential().getToken(p0.armScope))!.token;
    expect(cli(["sandbox", "stop", "--dir", dir]).stdout).toContain("sandbox stopped");
    const stopped = cli(["sandbox", "status", "--dir", dir]);
    expect(stopped.status).toBe(1);
    expect(stopped.stdout).toContain("stopped");
    const stoppedJson = cli(["sandbox", "status", "--dir", dir, "--output", "json"]);
    expect(stoppedJson.status).toBe(1);
    expect(JSON.parse(stoppedJson.stdout)).toEqual({ version: 1, result: "stopped", state: "stopped", dir, staleSandboxJson: false });
    const env = cli(["sandbox", "env", "--dir", dir]);
    expect(env.status).toBe(1);
    expect(env.stderr).toMatch(/^error: no sandbox is running in .*\n  hint: start one with `aks-wi sandbox start`\n$/);
    expect(cli(["sandbox", "start", "--dir", dir]).status).toBe(0);
    const again = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8"));
    expect(again.tenantId).toBe(info.tenantId);
    expect(again.clientSecret).toBe(info.clientSecret);
    expect(kubectl("get", "namespace", "survivor", "-o", "jsonpath={.metadata.name}")).toBe("survivor");
    const after = await msiClient().userAssignedIdentities.get(info.resourceGroup, "id-survivor");
    expect({ clientId: after.clientId, principalId: after.principalId }).toEqual({ clientId: created.clientId, principalId: created.principalId });
    const arm = new URL(JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")).armEndpoint);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: arm.hostname,
          port: arm.port,
          path: `${created.id}?api-version=2024-11-30`,
          ca: readFileSync(info.caFile),
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(200);
  });

  it("stop twice is fine; bad --latency and --faults are one-line usage errors", () => {
    expect(cli(["sandbox", "stop", "--dir", dir]).status).toBe(0);
    const second = cli(["sandbox", "stop", "--dir", dir]);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain("no sandbox was running");
    const lat = cli(["sandbox", "start", "--dir", dir, "--latency", "sluggish"]);
    expect(lat.status).toBe(2);
    expect(lat.stderr).toMatch(/^error: --latency: unknown latency profile "sluggish"/);
    expect(lat.stderr).not.toMatch(/\n\s+at /);
    const f = cli(["sandbox", "start", "--dir", dir], { AKS_WI_SANDBOX_FAULTS: "arm.418=0.5" });
    expect(f.status).toBe(2);
    expect(f.stderr).toMatch(/^error: --faults: bad fault "arm.418"/);
    const rtt = cli(["sandbox", "start", "--dir", dir, "--rtt", "arm=fast"]);
    expect(rtt.status).toBe(2);
    expect(rtt.stderr).toMatch(/^error: --rtt: bad round trip "arm=fast": expected SERVICE=MS .*\n  hint: example: --rtt "arm=120,kube=40"\n$/);
    expect(cli(["sandbox", "start", "--dir", dir], { AKS_WI_SANDBOX_RTT: "dns=5" }).stderr).toMatch(/^error: --rtt: bad round trip "dns=5"/);
    expect(cli(["sandbox", "status", "--dir", dir]).status).toBe(1);
  });
});
