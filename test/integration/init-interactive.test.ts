// Acceptance: the interactive path through a real pseudo-terminal (tmux), answered by keys. The
// pick-lists show live sandbox data; a bad name is re-asked with the reason; the run completes.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox } from "../helpers/sandbox.js";
import { CLI, kubectlJson, tempDir, waitFor } from "./init-cli.harness.js";

const SOCKET = `aks-wi-test-${process.pid}`;
const SESSION = "init";
const tmux = (...args: string[]) => spawnSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", SESSION).stdout;
const keys = (...k: string[]) => void tmux("send-keys", "-t", SESSION, ...k);
const type = (text: string) => void tmux("send-keys", "-t", SESSION, "-l", "--", text); // "--": text may start with "-"
const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Waits until the screen's last prompt line (the current question) matches. */
async function prompt(re: RegExp, timeoutMs = 20_000): Promise<string> {
  return waitFor(`the prompt ${re}`, () => (re.test(screen()) ? screen() : undefined), timeoutMs, 50).catch((e: Error) => {
    throw new Error(`${e.message}\n--- screen ---\n${screen()}`);
  });
}

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-tty-");
});
afterAll(async () => {
  tmux("kill-server");
  await sb?.stop();
});

describe("aks-wi init in a terminal", () => {
  it("offers live pick-lists, re-asks a bad name with the reason, and completes", async () => {
    const cmd = `cd ${shellQuote(cwd)} && env -u CI -u KUBECONFIG NO_COLOR=1 ${shellQuote(process.execPath)} ${shellQuote(CLI)} init --sandbox --sandbox-dir ${shellQuote(sb.dir)}; echo EXIT=$?; sleep 600`;
    const started = tmux("new-session", "-d", "-s", SESSION, "-x", "200", "-y", "50", cmd);
    expect(started.status).toBe(0);

    // Subscription: the sandbox's, by name and ID, preselected.
    let s = await prompt(/\? Subscription[\s\S]*aks-wi-sandbox/);
    expect(s).toContain(sb.info.subscriptionId);
    keys("Enter");
    s = await prompt(/\? Resource group \(of the cluster\)[\s\S]*rg-sandbox/);
    expect(s).toContain(`${sb.info.resourceGroup} (${sb.info.location})`);
    keys("Enter");
    s = await prompt(/\? AKS cluster[\s\S]*aks-sandbox/);
    expect(s).toMatch(/aks-sandbox \(eastus; workload identity off\)/);
    keys("Enter");
    await prompt(/\? Identity resource group/);
    keys("Enter");
    // No identity yet: the list offers "create new".
    await prompt(/\? Managed identity[\s\S]*\+ create a new identity/);
    keys("Enter");
    await prompt(/\? Name of the new managed identity/);
    type("-bad_");
    keys("Enter");
    await prompt(/identity name must start with a letter or digit/);
    keys("C-u");
    type("id-tty");
    keys("Enter");
    // Namespaces come from the cluster (kubectl would list the same).
    const namespaces = (await kubectlJson(sb.info.kubeconfig, ["get", "namespaces"])).items.map((n: any) => n.metadata.name as string);
    s = await prompt(/\? Kubernetes namespace[\s\S]*\+ create a new namespace/);
    for (const ns of namespaces) expect(s).toContain(ns);
    keys("Enter"); // "default", preselected
    await prompt(/\? Kubernetes service account[\s\S]*\+ create a new service account/);
    keys("Up", "Enter"); // wrap around to "create new"
    await prompt(/\? Name of the new Kubernetes service account/);
    type("Bad_SA");
    keys("Enter");
    await prompt(/service account name must be lower-case/);
    keys("C-u");
    type("sa-tty");
    keys("Enter");
    await prompt(/\? Federated credential name \(aks-wi-default-sa-tty\)/);
    keys("Enter");
    await prompt(/\? Assign an Azure role/);
    keys("Enter"); // default: no
    await prompt(/\? Start a small test pod/);
    type("n");
    keys("Enter");
    s = await prompt(/\? Apply this plan\?/);
    expect(s).toMatch(/create\s+User-assigned managed identity: create identity id-tty in rg-sandbox/);
    keys("Enter");
    await prompt(/restarts its API server and cannot be undone\. Continue\?/, 30_000);
    keys("Enter");
    s = await prompt(/EXIT=\d+/, 60_000);
    expect(s).toContain("EXIT=0");
    expect(s).toContain("Workload identity is set up.");

    const sa = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "sa-tty", "-n", "default"]);
    expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toMatch(/^[0-9a-f-]{36}$/);
  }, 120_000);
});
