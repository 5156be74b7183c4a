// Acceptance (issue 11, point 7): the identity's options and the governance refusals, the built
// CLI against the sandbox with the real SDKs. --tags reach the created identity beside aks-wi's
// managed-by tag (and make the policy group's required tag pass); --identity-location creates it
// elsewhere; a subscription where Microsoft.ManagedIdentity is not registered stops the plan with
// `az provider register` and nothing changed, and once registered, --identity-subscription puts
// the identity there; a KUBECONFIG of two files is merged as kubectl merges it.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { ResourceManagementClient } from "@azure/arm-resources";
import { KubeConfig } from "@kubernetes/client-node";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, readInitState, runCli, tempDir, writeFingerprint } from "../helpers/init-cli.harness.js";

const REGISTRATION_MS = 200;
let sb: TestSandbox;
let cwd: string;
beforeAll(async () => {
  sb = await startTestSandbox({ latency: { providerRegistrationMs: REGISTRATION_MS } });
  cwd = tempDir("aks-wi-identity-options-");
  // The API server seeds its system objects on its first request: make it before any fingerprint.
  await kubectlJson(sb.info.kubeconfig, ["get", "pods", "-A"]);
});
afterAll(async () => sb?.stop());

const msiIn = async (subscription: string) =>
  new ManagedServiceIdentityClient(await operatorCredential(sb), subscription, sandboxCloud(sb.dir).clientOptions());

const init = (name: string, extra: string[], env: Record<string, string> = {}) =>
  runCli(
    [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb.dir,
      "--yes",
      "--identity",
      `id-${name}`,
      "--namespace",
      name,
      "--service-account",
      "sa",
      "--no-test-pod",
      "--state",
      join(cwd, `${name}.json`),
      ...extra,
    ],
    { cwd, env },
  );

describe("identity options on the sandbox", () => {
  it("--tags: the created identity carries them beside managed-by (ARM SDK), and the state keeps them", async () => {
    const r = await init("tagged", ["--tags", "owner=team-a", "--tags", "env=dev"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/tags: owner=team-a, env=dev, managed-by=aks-wi/);
    const id = await (await msiIn(sb.info.subscriptionId)).userAssignedIdentities.get(sb.info.resourceGroup, "id-tagged");
    expect(id.tags).toEqual({ owner: "team-a", env: "dev", "managed-by": "aks-wi" });
    expect(readInitState(join(cwd, "tagged.json"))!.inputs.tags).toEqual({ owner: "team-a", env: "dev" });
  });

  it("an existing identity's tags are left alone, and the plan says so", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await init("tagged", ["--tags", "owner=someone-else", "--dry-run"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain("reuse identity id-tagged in rg-sandbox; its tags are left as they are (owner=someone-else not added)");
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("--identity-location: the identity is created in that region, not the cluster's", async () => {
    const r = await init("elsewhere", ["--identity-location", "westeurope"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const id = await (await msiIn(sb.info.subscriptionId)).userAssignedIdentities.get(sb.info.resourceGroup, "id-elsewhere");
    expect(id.location).toBe("westeurope");
    expect(sb.info.location).not.toBe("westeurope");
  });

  it("a region without federated credentials stops the plan with the option to use (exit 2, nothing changed)", async () => {
    const before = writeFingerprint(sb.dir);
    const r = await init("nz", ["--identity-location", "newzealandnorth"]);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toContain(
      "--identity-location is New Zealand North (newzealandnorth), where Azure does not yet support federated identity credentials on user-assigned identities",
    );
    expect(r.stderr).toContain("pass --identity-location with a supported region");
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("a policy requiring a tag: refused at the write naming the policy and --tags; with --tags costCenter=… it passes", async () => {
    const group = sb.info.policyResourceGroup!;
    const tag = sb.info.policyTagName!;
    const refused = await init("policy", ["--identity-resource-group", group]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(1);
    const out = refused.stdout + refused.stderr;
    expect(out).toContain("RequestDisallowedByPolicy: Resource 'id-policy' was disallowed by policy.");
    expect(out).toContain(`an Azure Policy denies it (assignment "Require a ${tag} tag on managed identities"`);
    expect(out).toContain(`pass --tags ${tag}=VALUE and re-run`);
    const msi = await msiIn(sb.info.subscriptionId);
    await expect(msi.userAssignedIdentities.get(group, "id-policy")).rejects.toMatchObject({ statusCode: 404 });

    const passed = await init("policy", ["--identity-resource-group", group, "--tags", `${tag}=cc-1234`]);
    expect(passed.code, passed.stdout + passed.stderr).toBe(0);
    expect((await msi.userAssignedIdentities.get(group, "id-policy")).tags).toEqual({ [tag]: "cc-1234", "managed-by": "aks-wi" });
  });

  it("--identity-subscription where Microsoft.ManagedIdentity is not registered: the plan says to register it, nothing changed; once registered the identity is made there", async () => {
    const sub = sb.info.unregisteredSubscriptionId!;
    const group = sb.info.unregisteredResourceGroup!;
    const args = ["--identity-subscription", sub, "--identity-resource-group", group];
    const before = writeFingerprint(sb.dir);
    const r = await init("crosssub", args);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).toContain("MissingSubscriptionRegistration: The subscription is not registered to use namespace 'Microsoft.ManagedIdentity'");
    expect(r.stderr).toContain(`az provider register --namespace Microsoft.ManagedIdentity --subscription ${sub}`);
    expect(writeFingerprint(sb.dir)).toBe(before);

    const resources = new ResourceManagementClient(await operatorCredential(sb), sub, sandboxCloud(sb.dir).clientOptions());
    await resources.providers.register("Microsoft.ManagedIdentity");
    await new Promise((res) => setTimeout(res, REGISTRATION_MS + 50));
    const ok = await init("crosssub", args);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    const msi = await msiIn(sub);
    const id = await msi.userAssignedIdentities.get(group, "id-crosssub");
    expect(id.id!.toLowerCase()).toContain(`/subscriptions/${sub}/`);
    const fics: string[] = [];
    for await (const fc of msi.federatedIdentityCredentials.list(group, "id-crosssub")) fics.push(fc.subject!);
    expect(fics).toEqual(["system:serviceaccount:crosssub:sa"]);
    // nothing of it in the cluster's subscription
    await expect((await msiIn(sb.info.subscriptionId)).userAssignedIdentities.get(group, "id-crosssub")).rejects.toMatchObject({ statusCode: 404 });
    const sa = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "sa", "-n", "crosssub"]);
    expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toBe(id.clientId);
    // verify finds the identity and its credential in the identity's subscription
    const v = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir, "--state", join(cwd, "crosssub.json"), "-o", "json"], { cwd });
    const report = JSON.parse(v.stdout) as { result: string; target: { identity: { subscription: string } }; checks: { name: string; status: string }[] };
    // No pod runs as the service account (--no-test-pod): the chain is unproven, but nothing fails.
    expect(v.code, v.stdout).toBe(7);
    expect(report.result).toBe("incomplete");
    expect(report.checks.filter((c) => c.status === "FAIL")).toEqual([]);
    expect(report.target.identity.subscription).toBe(sub);
    expect(report.checks.find((c) => c.name === "identity")).toMatchObject({ status: "PASS" });
  });

  it("KUBECONFIG of two files and --context: merged as kubectl merges them", async () => {
    const sandboxContext = new KubeConfig();
    sandboxContext.loadFromString(readFileSync(sb.info.kubeconfig, "utf8"));
    const context = sandboxContext.getCurrentContext();
    // The first file: another cluster and its own current context, which kubectl takes (the first
    // file that sets one); --context picks the sandbox's from the second file.
    const first = join(cwd, "first.kubeconfig");
    writeFileSync(
      first,
      `apiVersion: v1
kind: Config
current-context: elsewhere
clusters: [{ name: nowhere, cluster: { server: "https://127.0.0.1:1" } }]
users: [{ name: nobody, user: { token: none } }]
contexts: [{ name: elsewhere, context: { cluster: nowhere, user: nobody } }]
`,
    );
    const second = join(cwd, "second.kubeconfig");
    copyFileSync(sb.info.kubeconfig, second);
    const KUBECONFIG = [first, second].join(delimiter);
    const merged = await kubectlJson(KUBECONFIG, ["config", "view"]);
    expect(merged["current-context"]).toBe("elsewhere");

    const r = await init("multikube", ["--context", context], { KUBECONFIG });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const sa = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", "sa", "-n", "multikube"]);
    expect(sa.metadata.annotations["azure.workload.identity/client-id"]).toMatch(/^[0-9a-f-]{36}$/);

    const wrong = await init("multikube", ["--context", "not-there", "--dry-run"], { KUBECONFIG });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain(`context "not-there" is not in the kubeconfig $KUBECONFIG (2 files merged)`);
    expect(wrong.stderr).toContain(`pick one of: elsewhere, ${context}`);
  });
});
