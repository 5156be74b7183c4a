// Acceptance: the interactive path through a real pseudo-terminal (tmux), answered by keys. The
// pick-lists show live sandbox data; a bad name is re-asked with the reason; the run completes.
// "Live" is proven by objects made just before the run, with random names, through the real ARM
// SDKs and the real kubectl: a list built from sandbox.json or the seed could not show them.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { ResourceManagementClient } from "@azure/arm-resources";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox } from "../helpers/sandbox.js";
import { CLI, cleanEnv, kubectlJson, tempDir } from "../helpers/init-cli.harness.js";
import { shellQuote, tmuxServer } from "../helpers/tmux.js";

const SESSION = "init";
const t = tmuxServer(`aks-wi-test-${process.pid}`);
const { keys, type, prompt, active, moveTo } = t;

/** The real kubectl (asynchronous: a synchronous spawn would block the in-process sandbox). */
async function kubectl(kubeconfig: string, args: string[]): Promise<void> {
  await promisify(execFile)("kubectl", args, { env: { ...cleanEnv(), KUBECONFIG: kubeconfig }, encoding: "utf8" }).catch((e) => {
    throw new Error(`kubectl ${args.join(" ")} failed: ${(e as { stderr?: string }).stderr ?? e}`);
  });
}

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
const suffix = randomBytes(3).toString("hex");
const live = {
  resourceGroup: `rg-live-${suffix}`,
  resourceGroupLocation: "westus2",
  identity: `id-live-${suffix}`,
  identityClientId: "",
  namespace: `ns-live-${suffix}`,
  serviceAccount: `sa-live-${suffix}`,
};

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-tty-");
  const cred = await operatorCredential(sb);
  const opts = sandboxCloud(sb.dir).clientOptions();
  const rm = new ResourceManagementClient(cred, sb.info.subscriptionId, opts);
  const msi = new ManagedServiceIdentityClient(cred, sb.info.subscriptionId, opts);
  await rm.resourceGroups.createOrUpdate(live.resourceGroup, { location: live.resourceGroupLocation });
  const mi = await msi.userAssignedIdentities.createOrUpdate(sb.info.resourceGroup, live.identity, { location: sb.info.location });
  live.identityClientId = mi.clientId!;
  await kubectl(sb.info.kubeconfig, ["create", "namespace", live.namespace]);
  await kubectl(sb.info.kubeconfig, ["create", "serviceaccount", live.serviceAccount, "-n", live.namespace]);
});
afterAll(async () => {
  t.killServer();
  await sb?.stop();
});

describe("aks-wi init in a terminal", () => {
  it("offers live pick-lists, re-asks a bad name with the reason, and completes", async () => {
    expect(live.identityClientId).toMatch(/^[0-9a-f-]{36}$/);
    const cmd = `cd ${shellQuote(cwd)} && env -u CI -u KUBECONFIG NO_COLOR=1 XDG_STATE_HOME=${shellQuote(cwd)} ${shellQuote(process.execPath)} ${shellQuote(CLI)} init --sandbox --sandbox-dir ${shellQuote(sb.dir)}; echo EXIT=$?; sleep 600`;
    t.start(SESSION, cmd);

    // Subscription: the sandbox's, by name and ID, preselected.
    let s = await prompt(/\? Subscription[\s\S]*aks-wi-sandbox/);
    expect(s).toContain(sb.info.subscriptionId);
    keys("Enter");
    // Resource groups: the seeded one (preselected) and the one made through the SDK just now.
    s = await prompt(new RegExp(`\\? Resource group \\(of the cluster\\)[\\s\\S]*${live.resourceGroup}`));
    expect(s).toContain(`${sb.info.resourceGroup} (${sb.info.location})`);
    expect(s).toContain(`${live.resourceGroup} (${live.resourceGroupLocation})`);
    expect(active()).toBe(`${sb.info.resourceGroup} (${sb.info.location})`);
    keys("Enter");
    // The group holds one cluster: taken, with a line saying so.
    await prompt(/AKS cluster: aks-sandbox \(eastus; workload identity off\), the only one/);
    // The identity's resource group: the same live list, the cluster's group preselected.
    s = await prompt(new RegExp(`\\? Identity resource group[\\s\\S]*${live.resourceGroup}`));
    expect(active()).toBe(`${sb.info.resourceGroup} (${sb.info.location})`);
    keys("Enter");
    // Identities: the one made through the msi SDK, with its client ID, beside "create new".
    s = await prompt(new RegExp(`\\? Managed identity[\\s\\S]*${live.identity}[\\s\\S]*\\+ create a new identity`));
    expect(s).toContain(`${live.identity} (client ID ${live.identityClientId})`);
    await moveTo("+ create a new identity");
    keys("Enter");
    await prompt(/\? Name of the new managed identity/);
    type("-bad_");
    keys("Enter");
    await prompt(/identity name must start with a letter or digit/);
    keys("C-u");
    type("id-tty");
    keys("Enter");
    // Namespaces come from the cluster (kubectl lists the same), including the one kubectl just made.
    const namespaces = (await kubectlJson(sb.info.kubeconfig, ["get", "namespaces"])).items.map((n: any) => n.metadata.name as string);
    expect(namespaces).toContain(live.namespace);
    s = await prompt(/\? Kubernetes namespace[\s\S]*\+ create a new namespace/);
    for (const ns of namespaces) expect(s).toContain(ns);
    expect(active()).toBe("default");
    await moveTo(live.namespace);
    keys("Enter");
    // Service accounts of that namespace: the one kubectl made, beside "create new".
    s = await prompt(new RegExp(`\\? Kubernetes service account[\\s\\S]*${live.serviceAccount}[\\s\\S]*\\+ create a new service account`));
    await moveTo("+ create a new service account");
    keys("Enter");
    await prompt(/\? Name of the new Kubernetes service account/);
    type("Bad_SA");
    keys("Enter");
    await prompt(/service account name must be lower-case/);
    keys("C-u");
    type("sa-tty");
    keys("Enter");
    await prompt(new RegExp(`\\? Federated credential name \\(aks-wi-${live.namespace}-sa-tty\\)`));
    keys("Enter");
    await prompt(/\? Assign an Azure role/);
    type("n"); // the default is yes: an identity without a role reaches nothing
    keys("Enter");
    await prompt(/\? Start a small test pod/);
    type("n");
    keys("Enter");
    // The irreversible change is asked with the plan, before anything changes, and defaults to No.
    s = await prompt(/\? Enable the OIDC issuer and workload identity on aks-sandbox\? This restarts its API server and cannot be undone\. \(y\/N\)/);
    expect(s).toMatch(/create\s+User-assigned managed identity: create identity id-tty in rg-sandbox/);
    type("y");
    keys("Enter");
    await prompt(/\? Apply this plan\?/);
    keys("Enter");
    s = await prompt(/EXIT=\d+/, 30_000);
    expect(s).toContain("EXIT=0");
    expect(s).toContain("Workload identity is set up.");

    const sa = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "sa-tty", "-n", live.namespace]);
    expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toMatch(/^[0-9a-f-]{36}$/);
  }, 60_000);
});
