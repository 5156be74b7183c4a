// Acceptance: the wizard that helps, through a real pseudo-terminal (tmux). The role is found by
// typing part of its name, the scope picked from the resources that role fits (the sandbox's
// seeded Key Vault, with its ID), the run ends with the equivalent command, which itself runs
// clean, and verify passes. Ctrl-C after a few answers keeps them: the next run offers them.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { CLI, cleanEnv, runCli, tempDir, vaultId } from "../helpers/init-cli.harness.js";
import { shellQuote, tmuxServer } from "../helpers/tmux.js";

const t = tmuxServer(`aks-wi-wizard-${process.pid}`);
const { keys, type, prompt, active, moveTo, screen } = t;

let sb: Awaited<ReturnType<typeof startTestSandbox>>;

beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  t.killServer();
  await sb?.stop();
});

/** The wizard in a terminal, its answers kept under `stateHome`. */
function wizard(session: string, cwd: string, stateHome: string): void {
  const node = `${shellQuote(process.execPath)} ${shellQuote(CLI)}`;
  t.start(
    session,
    `cd ${shellQuote(cwd)} && env -u CI -u KUBECONFIG NO_COLOR=1 XDG_STATE_HOME=${shellQuote(stateHome)} ${node} init --sandbox --sandbox-dir ${shellQuote(sb.dir)}; echo EXIT=$?; sleep 600`,
  );
}

/** The cluster's questions: subscription and groups preselected (Enter), the lone cluster taken with a line. */
async function clusterQuestions(): Promise<void> {
  await prompt(/\? Subscription[\s\S]*aks-wi-sandbox/);
  keys("Enter");
  await prompt(/\? Resource group \(of the cluster\)/);
  keys("Enter");
  await prompt(/AKS cluster: aks-sandbox \(eastus; workload identity o(n|ff)\), the only one/);
  await prompt(/\? Identity resource group/);
  keys("Enter");
}

describe("the wizard in a terminal", () => {
  it("finds the role by search, offers the seeded Key Vault as its scope, prints the equivalent command, and verify passes", async () => {
    const cwd = tempDir("aks-wi-wizard-");
    const vault = vaultId(sb.dir);
    wizard("wiz", cwd, cwd);
    await clusterQuestions();
    await prompt(/\? Managed identity[\s\S]*\+ create a new identity/);
    expect(active()).toBe("+ create a new identity");
    keys("Enter");
    await prompt(/\? Name of the new managed identity/);
    type("id-wiz");
    keys("Enter");
    await prompt(/\? Kubernetes namespace[\s\S]*\+ create a new namespace/);
    await moveTo("+ create a new namespace");
    keys("Enter");
    await prompt(/\? Name of the new Kubernetes namespace/);
    type("wiz");
    keys("Enter");
    await prompt(/\? Kubernetes service account[\s\S]*\+ create a new service account/);
    keys("Enter");
    await prompt(/\? Name of the new Kubernetes service account/);
    type("wiz-sa");
    keys("Enter");
    await prompt(/\? Federated credential name \(aks-wi-wiz-wiz-sa\)/);
    keys("Enter");
    await prompt(/\? Assign an Azure role to the identity .*\(Y\/n\)/);
    keys("Enter");
    // The role list opens on the common workload roles; a near-miss name shows "did you mean".
    let s = await prompt(/\? Role \(type to search; common workload roles first\)[\s\S]*❯ Key Vault Secrets User/);
    type("Key Valut Secrets Usr");
    s = await prompt(/did you mean "Key Vault Secrets User"\?/);
    keys("C-u");
    type("secrets us");
    await prompt(/secrets us[\s\S]*❯ Key Vault Secrets User/);
    expect(active()).toBe("Key Vault Secrets User");
    keys("Enter");
    // The scope list: the Key Vault (the role's data actions are Key Vault's) with its ID, preselected.
    s = await prompt(/\? Scope of "Key Vault Secrets User"[\s\S]*\+ another resource ID/);
    expect(s).toContain(`(Key Vault) ${vault}`);
    expect(s).toContain(`resource group rg-sandbox /subscriptions/${sb.info.subscriptionId}/resourceGroups/rg-sandbox`);
    expect(s).not.toMatch(/\(storage account\)/); // the storage account does not fit this role
    expect(active()).toContain(vault);
    keys("Enter");
    // A second role: a Storage role's list holds the seeded storage account, not the vault.
    await prompt(/\? Assign another role\? \(y\/N\)/);
    type("y");
    keys("Enter");
    await prompt(/\? Role \(type to search/);
    type("blob data reader");
    await prompt(/blob data reader[\s\S]*❯ Storage Blob Data Reader/);
    keys("Enter");
    s = await prompt(/\? Scope of "Storage Blob Data Reader"[\s\S]*\+ another resource ID/);
    const storage = new RegExp(`(stsandbox\\w+) \\(storage account\\) (/subscriptions/\\S+/storageAccounts/stsandbox\\w+)`).exec(s);
    expect(storage, "the seeded storage account with its ID").not.toBeNull();
    expect(active()).toContain(storage![2]!);
    keys("Enter");
    await prompt(/Assign another role\? Yes[\s\S]*\? Assign another role\? \(y\/N\)/);
    keys("Enter");
    await prompt(/\? Start a small test pod/);
    keys("Enter");
    await prompt(/\? Enable the OIDC issuer and workload identity on aks-sandbox\?.*\(y\/N\)/);
    type("y");
    keys("Enter");
    await prompt(/\? Apply this plan\?/);
    keys("Enter");
    s = await prompt(/EXIT=\d+/, 30_000);
    expect(s).toContain("EXIT=0");
    const lines = s.split("\n");
    const at = lines.findIndex((l) => l.includes("To run this again without questions"));
    expect(at).toBeGreaterThan(0);
    const command = lines[at + 1]!.trim();
    expect(command).toBe(
      `aks-wi init --sandbox --sandbox-dir ${sb.dir} --subscription ${sb.info.subscriptionId} -g rg-sandbox --cluster aks-sandbox --identity id-wiz --namespace wiz --service-account wiz-sa --role 'Key Vault Secrets User' --scope ${vault} --role 'Storage Blob Data Reader' --scope ${storage![2]} --yes`,
    );
    expect(lines[at + 2]).toMatch(/--write-config aks-wi\.yaml/);
    // A finished run leaves no answers to offer.
    expect(existsSync(join(cwd, "aks-wi", "answers.json"))).toBe(false);

    // The printed line runs as it stands (aks-wi being this checkout's bin), and changes nothing.
    const again = await promisify(execFile)("sh", ["-c", command.replace(/^aks-wi /, `${shellQuote(process.execPath)} ${shellQuote(CLI)} `)], {
      cwd,
      env: cleanEnv(),
      encoding: "utf8",
    });
    expect(again.stdout + again.stderr).toMatch(/Nothing changed/);
    const verify = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir, "--namespace", "wiz", "--service-account", "wiz-sa"], { cwd });
    expect(verify.stderr + verify.stdout).not.toMatch(/FAIL/);
    expect(verify.code).toBe(0);
  }, 60_000);

  it("Ctrl-C after a few answers keeps them; the next run offers them as the defaults", async () => {
    const cwd = tempDir("aks-wi-wizard-kept-");
    const answers = join(cwd, "aks-wi", "answers.json");
    wizard("kept1", cwd, cwd);
    await clusterQuestions();
    await prompt(/\? Managed identity/);
    keys("Enter"); // + create a new identity
    await prompt(/\? Name of the new managed identity/);
    type("id-kept");
    keys("Enter");
    await prompt(/\? Kubernetes namespace[\s\S]*\+ create a new namespace/);
    await moveTo("+ create a new namespace");
    keys("Enter");
    await prompt(/\? Name of the new Kubernetes namespace/);
    type("ns-kept");
    keys("Enter");
    await prompt(/\? Kubernetes service account/);
    keys("C-c");
    let s = await prompt(/EXIT=\d+/);
    expect(s).toContain("EXIT=130");
    expect(statSync(answers).mode & 0o777).toBe(0o600);
    const kept = JSON.parse(readFileSync(answers, "utf8"));
    expect(kept.clouds.sandbox.answers).toMatchObject({ identity: "id-kept", namespace: "ns-kept" });
    t.kill("kept1");

    wizard("kept2", cwd, cwd);
    await clusterQuestions();
    // Neither exists yet, so "create new" is preselected and the kept name is its default.
    await prompt(/\? Managed identity/);
    expect(active()).toBe("+ create a new identity");
    keys("Enter");
    await prompt(/\? Name of the new managed identity \(id-kept\)/);
    keys("Enter");
    await prompt(/\? Kubernetes namespace[\s\S]*\+ create a new namespace/);
    expect(active()).toBe("+ create a new namespace");
    keys("Enter");
    s = await prompt(/\? Name of the new Kubernetes namespace \(ns-kept\)/);
    expect(s).toMatch(/Name of the new managed identity id-kept/);
    keys("C-c");
    expect(await prompt(/EXIT=\d+/)).toContain("EXIT=130");
    expect(screen()).not.toMatch(/To run this again/); // cancelled during the questions: nothing to repeat yet
  }, 60_000);
});
