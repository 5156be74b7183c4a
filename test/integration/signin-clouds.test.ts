// Sign-in and clouds as az does it, on the sandbox: the subscription by name (an ambiguous one
// refused), from AZURE_SUBSCRIPTION_ID, from az's current subscription (a temp AZURE_CONFIG_DIR),
// the "Signed in as" line, and a sandbox presenting itself as AzureUSGovernment: its metadata
// says so, init records that cloud in the state, and a sandbox of another cloud refuses that state.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { get } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import type { SandboxInfo } from "../../sandbox/info.js";
import { readInitState, runCli, tempDir, writeFingerprint } from "../helpers/init-cli.harness.js";

/** GET a JSON document from a sandbox listener, trusting its CA. */
function getJson(url: string, ca: string): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve(JSON.parse(body) as Record<string, any>));
    }).on("error", reject);
  });
}

const WORKLOAD = ["--identity", "id-gov", "--namespace", "gov", "--service-account", "gov-sa"];

/** An az configuration directory whose current subscription in `cloud` is `id`. */
function azConfig(id: string, cloud: string): string {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-az-"));
  writeFileSync(join(dir, "config"), `[cloud]\nname = ${cloud}\n`);
  const profile = { installationId: "x", subscriptions: [{ id, name: "az's pick", isDefault: true, environmentName: cloud, tenantId: "t", state: "Enabled" }] };
  writeFileSync(join(dir, "azureProfile.json"), `\uFEFF${JSON.stringify(profile)}`);
  return dir;
}

describe("sign-in on a sandbox presenting AzureUSGovernment (in process)", () => {
  let sb: Sandbox;
  let dir: string;
  let info: SandboxInfo;
  const noAz = mkdtempSync(join(tmpdir(), "aks-wi-no-az-"));
  const dryRun = (...more: string[]) => ["init", "--sandbox", "--sandbox-dir", dir, "--yes", "--dry-run", "-o", "json", ...WORKLOAD, ...more];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "aks-wi-sb-gov-"));
    sb = await startSandbox({ dir, latency: "instant", cloud: "AzureUSGovernment" });
    info = sb.info;
  });
  afterAll(async () => {
    await sb?.stop();
  });

  it("says once who it signed in as, with the tenant, the credential and the cloud", async () => {
    const r = await runCli(dryRun(), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz } });
    expect(r.code).toBe(0);
    const line = `Signed in as app ${info.clientId} (tenant ${info.tenantId}) via the sandbox's operator secret in AzureUSGovernment (the sandbox's cloud)`;
    expect(r.stderr.split("\n").filter((l) => l.includes("Signed in as"))).toEqual([`  ${line}`]);
    expect(JSON.parse(r.stdout).cloud).toBe("AzureUSGovernment");
  });

  it("a subscription by its unique name (any case) becomes its ID, saying so", async () => {
    const r = await runCli(dryRun("--subscription", info.subscriptionName.toUpperCase()), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).inputs.subscription).toBe(info.subscriptionId);
    expect(r.stderr).toContain(`Subscription: ${info.subscriptionId} (${info.subscriptionName}), named by --subscription`);
  });

  it("an unknown or ambiguous name is a usage error listing the choices; nothing changes", async () => {
    const before = writeFingerprint(dir);
    const unknown = await runCli(dryRun("--subscription", "no such subscription"), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz } });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(
      `--subscription "no such subscription": subscription must be a subscription ID or the name of one you can use; none is named so`,
    );
    expect(unknown.stderr).toContain(`aks-wi-sandbox (${info.subscriptionId})`);

    // Two subscriptions of the same name, as tenants that copy a naming scheme have.
    const second = Object.values(sb.world.state.subscriptions!)[0]!;
    const was = second.displayName;
    second.displayName = info.subscriptionName;
    try {
      const r = await runCli(dryRun("--subscription", info.subscriptionName), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz } });
      expect(r.code).toBe(2);
      expect(JSON.parse(r.stdout).result).toBe("error");
      expect(r.stderr).toContain(`--subscription "${info.subscriptionName}": 2 subscriptions are named so, pass one's ID:`);
      expect(r.stderr).toContain(info.subscriptionId);
      expect(r.stderr).toContain(info.unregisteredSubscriptionId);
    } finally {
      second.displayName = was;
    }
    expect(writeFingerprint(dir)).toBe(before);
  });

  it("verify and doctor take a subscription by name too; an unknown one is exit 2 before anything is checked", async () => {
    const env = { AZURE_CONFIG_DIR: noAz };
    const name = info.subscriptionName.toUpperCase();
    const said = `Subscription: ${info.subscriptionId} (${info.subscriptionName}), named by --subscription`;
    const verify = await runCli(
      ["verify", "--sandbox", "--sandbox-dir", dir, "--subscription", name, "--namespace", "gov", "--service-account", "gov-sa", "-o", "json"],
      {
        cwd: tempDir("aks-wi-signin-"),
        env,
      },
    );
    expect(verify.code, verify.stderr).not.toBe(2);
    expect(JSON.parse(verify.stdout).target.subscription).toBe(info.subscriptionId);
    expect(verify.stderr).toContain(said);
    const doctor = await runCli(["doctor", "--sandbox", "--sandbox-dir", dir, "-o", "json"], {
      cwd: tempDir("aks-wi-signin-"),
      env: { ...env, AKS_WI_SUBSCRIPTION: info.subscriptionName },
    });
    expect(doctor.code, doctor.stderr).not.toBe(2); // the cluster as seeded (workload identity off) fails, exit 3
    expect(JSON.parse(doctor.stdout).cluster.subscription).toBe(info.subscriptionId);
    expect(doctor.stderr).toContain(`named by AKS_WI_SUBSCRIPTION`);
    for (const cmd of ["verify", "doctor"]) {
      const workload = cmd === "verify" ? ["--namespace", "gov", "--service-account", "gov-sa"] : [];
      const bad = await runCli([cmd, "--sandbox", "--sandbox-dir", dir, "--subscription", "no such subscription", ...workload], {
        cwd: tempDir("aks-wi-signin-"),
        env,
      });
      expect([cmd, bad.code]).toEqual([cmd, 2]);
      expect(bad.stderr).toContain(
        `--subscription "no such subscription": subscription must be a subscription ID or the name of one you can use; none is named so`,
      );
    }
  });

  it("AZURE_SUBSCRIPTION_ID is the default, saying so", async () => {
    const r = await runCli(dryRun(), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz, AZURE_SUBSCRIPTION_ID: info.subscriptionId } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).inputs.subscription).toBe(info.subscriptionId);
    expect(r.stderr).toContain(`Subscription: ${info.subscriptionId}, from AZURE_SUBSCRIPTION_ID`);
    // over the sandbox's own: a subscription without the cluster is where the run looks
    const other = await runCli(dryRun(), {
      cwd: tempDir("aks-wi-signin-"),
      env: { AZURE_CONFIG_DIR: noAz, AZURE_SUBSCRIPTION_ID: info.unregisteredSubscriptionId! },
    });
    expect(other.stderr).toContain(`Subscription: ${info.unregisteredSubscriptionId}, from AZURE_SUBSCRIPTION_ID`);
    expect(other.stderr).toContain(info.unregisteredSubscriptionId);
  });

  it("else az's current subscription of that cloud (azureProfile.json in AZURE_CONFIG_DIR), saying so", async () => {
    const az = azConfig(info.subscriptionId, "AzureUSGovernment");
    const r = await runCli(dryRun(), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: az } });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).inputs.subscription).toBe(info.subscriptionId);
    expect(r.stderr).toContain(`Subscription: ${info.subscriptionId}, from az's current subscription (${join(az, "azureProfile.json")})`);
    // az's current subscription of another cloud is not this cloud's: the sandbox's own is used, no line
    const other = await runCli(dryRun(), {
      cwd: tempDir("aks-wi-signin-"),
      env: { AZURE_CONFIG_DIR: azConfig(info.unregisteredSubscriptionId!, "AzureCloud") },
    });
    expect(other.code, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout).inputs.subscription).toBe(info.subscriptionId);
    expect(other.stderr).not.toContain("Subscription:");
  });

  it("--cloud naming another cloud than the sandbox presents is a usage error, before anything is read", async () => {
    const r = await runCli(dryRun("--cloud", "AzureChinaCloud"), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--cloud AzureChinaCloud: the sandbox in ${dir} presents itself as AzureUSGovernment`);
    const bad = await runCli(dryRun("--cloud", "Mars"), { cwd: tempDir("aks-wi-signin-"), env: { AZURE_CONFIG_DIR: noAz } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cloud "Mars": cloud must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud');
  });
});

describe("aks-wi sandbox start --cloud AzureUSGovernment, end to end", () => {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-sb-gov-cli-"));
  const cwd = tempDir("aks-wi-gov-run-");
  const env = { AZURE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "aks-wi-no-az-")) };
  afterAll(async () => {
    await runCli(["sandbox", "stop", "--sandbox-dir", dir], { cwd, env });
  });

  it("its metadata names the cloud, init records it in the state, and a sandbox of another cloud refuses that state", async () => {
    const start = await runCli(["sandbox", "start", "--sandbox-dir", dir, "--cloud", "AzureUSGovernment"], { cwd, env });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain("presents     AzureUSGovernment");
    const info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")) as SandboxInfo;
    expect([info.cloud, info.armAudience]).toEqual(["AzureUSGovernment", "https://management.usgovcloudapi.net/"]);
    const meta = await getJson(`${info.armEndpoint}/metadata/endpoints?api-version=2022-09-01`, readFileSync(info.caFile, "utf8"));
    expect(meta.name).toBe("AzureUSGovernment");
    expect(meta.authentication.audiences).toEqual(["https://management.core.usgovcloudapi.net/", "https://management.usgovcloudapi.net/"]);
    expect(meta.suffixes).toEqual({ keyVaultDns: "vault.usgovcloudapi.net", storage: "core.usgovcloudapi.net" });

    const run = await runCli(["init", "--sandbox", "--sandbox-dir", dir, "--yes", "--no-test-pod", ...WORKLOAD], { cwd, env });
    expect(run.code, run.stderr).toBe(0);
    const statePath = join(cwd, ".aks-wi", info.clusterName, "state.json");
    expect(readInitState(statePath)?.cloud).toBe("AzureUSGovernment");

    // The same sandbox, restarted as itself: the state of AzureUSGovernment is not its.
    expect((await runCli(["sandbox", "stop", "--sandbox-dir", dir], { cwd, env })).code).toBe(0);
    expect((await runCli(["sandbox", "start", "--sandbox-dir", dir], { cwd, env })).code).toBe(0);
    const refused = await runCli(["init", "--sandbox", "--sandbox-dir", dir, "--yes", "--dry-run", "--state", statePath, ...WORKLOAD], { cwd, env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`state file ${statePath} belongs to the AzureUSGovernment cloud, not sandbox`);
  }, 120_000);
});
