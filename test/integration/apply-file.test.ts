// Acceptance of `aks-wi apply -f` and `aks-wi status -f` on the sandbox, with the real SDKs and
// kubectl: a file of three bindings (two sharing one identity) applies from nothing to exactly the
// resources it names, in one cluster update; a second apply plans nothing; status from a fresh
// directory is in sync, names drift made by hand and apply repairs it; a role changed in the file
// is one create and one delete, and a role assignment made by hand stays; a bad file changes nothing.
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRequestLog } from "../../sandbox/index.js";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { startTestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, vaultId, world, writeFingerprint } from "../helpers/init-cli.harness.js";

let sb: Awaited<ReturnType<typeof startTestSandbox>>;
let cwd: string;
let file: string;
let vault: string;
let group: string;
const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";

function config(rolesOfApi: { role: string; scope: string }[]): string {
  const roles = (rs: { role: string; scope: string }[]) => rs.map((r) => `\n      - { role: ${r.role}, scope: ${r.scope} }`).join("");
  return `apiVersion: aks-wi/v1
kind: WorkloadIdentityConfig
cluster: { resourceGroup: rg-sandbox, name: aks-sandbox }
bindings:
  - namespace: payments
    serviceAccount: payments-api
    identity: { name: id-payments }
    testPod: true
    roles:${roles(rolesOfApi)}
  - namespace: payments
    serviceAccount: payments-worker
    identity: { name: id-payments }
    roles:${roles([{ role: "Reader", scope: group }])}
  - namespace: web
    serviceAccount: web
    identity: { name: id-web }
    workloads: [deployment/web]
    testPod: true
`;
}

const cli = (args: string[], dir = cwd) => runCli([...args, "--sandbox", "--sandbox-dir", sb.dir], { cwd: dir });

function arm() {
  const profile = sandboxCloud(sb.dir);
  const opts = profile.clientOptions();
  return {
    msi: new ManagedServiceIdentityClient(profile.credential(), sb.info.subscriptionId, opts),
    auth: new AuthorizationManagementClient(profile.credential(), sb.info.subscriptionId, opts),
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function assignmentsOf(identity: string) {
  const { msi, auth } = arm();
  const id = await msi.userAssignedIdentities.get("rg-sandbox", identity);
  const all = await collect(auth.roleAssignments.listForSubscription({ filter: `principalId eq '${id.principalId}'` }));
  return all.map((a) => ({ role: a.roleDefinitionId!.split("/").pop(), scope: a.scope!, description: a.description }));
}

beforeAll(async () => {
  sb = await startTestSandbox();
  cwd = tempDir("aks-wi-apply-");
  vault = vaultId(sb.dir);
  group = vault.slice(0, vault.indexOf("/providers/"));
  file = join(cwd, "aks-wi.yaml");
  writeFileSync(file, config([{ role: "Key Vault Secrets User", scope: vault }]));
  // The user's own Deployment, running under the namespace's default service account, for the web binding to wire.
  const manifest = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "web" },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "main", image: "nginx" }] } },
    },
  };
  const path = join(cwd, "web.json");
  writeFileSync(path, JSON.stringify(manifest));
  await kubectlJson(sb.info.kubeconfig, ["create", "namespace", "web"]);
  await kubectlJson(sb.info.kubeconfig, ["apply", "-f", path]);
});
afterAll(async () => {
  await sb?.stop();
});

describe("aks-wi apply -f", () => {
  it("applies three bindings from nothing: the exact resources, the cluster updated once, shared work done once; a second apply plans nothing", async () => {
    const r = await cli(["apply", "-f", "aks-wi.yaml", "--yes", "-o", "json"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ version: 1, result: "done" });
    expect(doc.bindings.map((b: { binding: string }) => b.binding)).toEqual(["payments/payments-api", "payments/payments-worker", "web/web"]);
    const ops: { id: string; action: string; step: string }[] = doc.operations;
    // One cluster update, one create per identity and namespace, one credential per service account.
    expect(ops.filter((o) => o.step === "cluster")).toHaveLength(1);
    expect(ops.filter((o) => o.step === "identity").map((o) => o.id)).toEqual(["payments/payments-api:identity", "web/web:identity"]);
    // The web namespace is the user's: only payments is created.
    expect(ops.filter((o) => o.id.endsWith(":namespace")).map((o) => o.id)).toEqual(["payments/payments-api:namespace"]);
    expect(ops.filter((o) => o.step === "federatedCredential")).toHaveLength(3);
    const log = await readRequestLog(sb.dir);
    expect(log.filter((e) => e.method === "PUT" && /managedClusters\/aks-sandbox(\?|$)/i.test(e.path))).toHaveLength(1);

    const w = world(sb.dir);
    const ficsOf = (name: string) =>
      Object.values(w.federatedCredentials as Record<string, any>).filter((f) => String(f.id).toLowerCase().includes(`/userassignedidentities/${name}/`));
    expect(
      ficsOf("id-payments")
        .map((f) => f.properties?.subject ?? f.subject)
        .sort(),
    ).toEqual(["system:serviceaccount:payments:payments-api", "system:serviceaccount:payments:payments-worker"]);
    expect(ficsOf("id-web")).toHaveLength(1);
    const roles = await assignmentsOf("id-payments");
    expect(roles.map((a) => [a.role, a.scope]).sort()).toEqual(
      [
        [KV_SECRETS_USER, vault],
        [READER, group],
      ].sort(),
    );
    for (const sa of ["payments-api", "payments-worker"]) {
      const got = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccount", sa, "-n", "payments"]);
      expect(got.metadata.annotations["azure.workload.identity/client-id"]).toBe(doc.bindings[0].outputs.identity.clientId);
    }
    const pod = await kubectlJson(sb.info.kubeconfig, ["get", "pod", "aks-wi-test-web", "-n", "web"]);
    expect(pod.spec.serviceAccountName).toBe("web");
    // The Deployment is wired on its pod template, restarted, and its new pods were mutated by the webhook.
    const deploy = await kubectlJson(sb.info.kubeconfig, ["get", "deployment", "web", "-n", "web"]);
    expect(deploy.spec.template.spec.serviceAccountName).toBe("web");
    expect(deploy.spec.template.metadata.labels).toMatchObject({ app: "web", "azure.workload.identity/use": "true" });
    expect(deploy.metadata.labels?.["azure.workload.identity/use"]).toBeUndefined();
    const pods = (await kubectlJson(sb.info.kubeconfig, ["get", "pods", "-n", "web", "-l", "app=web"])).items.filter((p: any) => !p.metadata.deletionTimestamp);
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.spec.serviceAccountName).toBe("web");
      expect(p.spec.containers[0].env.map((e: any) => e.name)).toContain("AZURE_FEDERATED_TOKEN_FILE");
    }

    const before = writeFingerprint(sb.dir);
    const again = await cli(["apply", "-f", "aks-wi.yaml", "--yes", "-o", "json"]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout).operations).toEqual([]);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("status from a fresh directory is in sync; hand-made drift is named per binding (exit 6) and apply repairs it", async () => {
    const fresh = tempDir("aks-wi-apply-status-");
    writeFileSync(join(fresh, "aks-wi.yaml"), config([{ role: "Key Vault Secrets User", scope: vault }]));
    const ok = await cli(["status", "-f", "aks-wi.yaml"], fresh);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^All 3 bindings in sync\.$/m);

    // Break the worker by hand: its annotation removed with kubectl, its credential's subject changed with the ARM SDK.
    await kubectlJson(sb.info.kubeconfig, ["annotate", "serviceaccount", "payments-worker", "-n", "payments", "azure.workload.identity/client-id-"]);
    const { msi } = arm();
    const fc = await msi.federatedIdentityCredentials.get("rg-sandbox", "id-payments", "aks-wi-payments-payments-worker");
    await msi.federatedIdentityCredentials.createOrUpdate("rg-sandbox", "id-payments", fc.name!, { ...fc, subject: "system:serviceaccount:payments:worker" });
    const before = writeFingerprint(sb.dir);
    const drift = await cli(["status", "-f", "aks-wi.yaml", "-o", "json"], fresh);
    expect(drift.code).toBe(6);
    const report = JSON.parse(drift.stdout);
    expect(report).toMatchObject({ version: 1, inSync: false });
    const byKey = Object.fromEntries(report.bindings.map((b: any) => [`${b.binding.namespace}/${b.binding.serviceAccount}`, b]));
    expect(byKey["payments/payments-api"].inSync).toBe(true);
    expect(byKey["web/web"].inSync).toBe(true);
    const drifts = byKey["payments/payments-worker"].steps.flatMap((s: any) => s.drift);
    expect(drifts).toContainEqual(expect.stringMatching(/^annotation azure\.workload\.identity\/client-id is missing/));
    expect(drifts).toContain(
      "credential aks-wi-payments-payments-worker: subject is system:serviceaccount:payments:worker (want system:serviceaccount:payments:payments-worker)",
    );
    expect(writeFingerprint(sb.dir)).toBe(before);

    const fix = await cli(["apply", "-f", "aks-wi.yaml", "--yes"], fresh);
    expect(fix.code, fix.stderr).toBe(0);
    expect((await cli(["status", "-f", "aks-wi.yaml"], fresh)).code).toBe(0);
  });

  it("a role changed in the file: one create and one delete; a role assignment made by hand stays", async () => {
    const { msi, auth } = arm();
    const id = await msi.userAssignedIdentities.get("rg-sandbox", "id-payments");
    const byHand = `/subscriptions/${sb.info.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${KV_SECRETS_USER}`;
    await auth.roleAssignments.create(group, "0f5e0a3c-1111-4222-8333-944444444444", {
      roleDefinitionId: byHand,
      principalId: id.principalId!,
      principalType: "ServicePrincipal",
    });
    writeFileSync(file, config([{ role: "Key Vault Secrets Officer", scope: vault }]));
    const plan = await cli(["apply", "-f", "aks-wi.yaml", "--dry-run", "-o", "json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const ops = JSON.parse(plan.stdout).operations.filter((o: { step: string }) => o.step === "roleAssignment");
    expect(ops.map((o: { action: string; summary: string }) => [o.action, o.summary])).toEqual([
      ["create", `assign "Key Vault Secrets Officer" at ${vault}`],
      ["delete", `remove "Key Vault Secrets User" at ${vault} (no longer requested)`],
    ]);
    const r = await cli(["apply", "-f", "aks-wi.yaml", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const roles = await assignmentsOf("id-payments");
    expect(roles.map((a) => [a.role, a.scope]).sort()).toEqual(
      [
        ["b86a8fe4-44ce-4948-aee5-eccb2c155cd7", vault],
        [KV_SECRETS_USER, group],
        [READER, group],
      ].sort(),
    );
    expect(roles.find((a) => a.scope === group && a.role === KV_SECRETS_USER)?.description).toBeFalsy();
  });

  it("init --write-config keeps the binding it set up in a file that apply then finds in sync", async () => {
    const dir = tempDir("aks-wi-write-config-");
    const init = await cli(
      [
        "init",
        "--yes",
        "--identity",
        "id-solo",
        "--namespace",
        "solo",
        "--service-account",
        "solo",
        "--role",
        "Reader",
        "--scope",
        group,
        "--no-test-pod",
        "--write-config",
        "team.yaml",
      ],
      dir,
    );
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout + init.stderr).toMatch(/Config: binding solo\/solo written to .*team\.yaml/);
    const plan = await cli(["apply", "-f", "team.yaml", "--dry-run", "-o", "json"], dir);
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout).operations).toEqual([]);
    // Another cluster's binding is refused before anything changes.
    const before = writeFingerprint(sb.dir);
    const other = await cli(["init", "--yes", "--cluster", "aks-other", "--identity", "id-x", "--service-account", "x", "--write-config", "team.yaml"], dir);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/team\.yaml describes cluster aks-sandbox in rg-sandbox, not aks-other in rg-sandbox/);
    expect(writeFingerprint(sb.dir)).toBe(before);
  });

  it("status --all finds every binding aks-wi marked, from a fresh directory, and names drift made by hand", async () => {
    const fresh = tempDir("aks-wi-status-all-");
    const r = await cli(["status", "--all", "-o", "json"], fresh);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const keys = doc.bindings.map((b: any) => `${b.binding.namespace}/${b.binding.serviceAccount}`).sort();
    expect(keys).toEqual(["payments/payments-api", "payments/payments-worker", "solo/solo", "web/web"]);
    expect(doc.bindings.find((b: any) => b.binding.serviceAccount === "web").binding.identity).toBe("id-web");
    // A client ID changed by hand: the identity is still found (its credential trusts the subject), and the annotation is drift.
    await kubectlJson(sb.info.kubeconfig, [
      "annotate",
      "serviceaccount",
      "web",
      "-n",
      "web",
      "azure.workload.identity/client-id=11111111-2222-3333-4444-555555555555",
      "--overwrite",
    ]);
    const drift = await cli(["status", "--all"], fresh);
    expect(drift.code).toBe(6);
    expect(drift.stdout).toMatch(
      /Workload identity of web\/web on cluster aks-sandbox:\n(?:.*\n)*?\s+- annotation azure\.workload\.identity\/client-id is "11111111-2222-3333-4444-555555555555" \(want "[0-9a-f-]{36}"\)/,
    );
    expect(drift.stdout).toMatch(/^Drift in 1 of 4 bindings/m);
  });

  it("delete -f --binding removes only that binding's resources; the binding sharing its identity still passes verify", async () => {
    const plan = await cli(["delete", "-f", "aks-wi.yaml", "--binding", "payments/payments-worker", "--dry-run", "-o", "json"]);
    expect(plan.code, plan.stderr).toBe(0);
    const before = writeFingerprint(sb.dir);
    expect(JSON.parse(plan.stdout).bindings.map((b: any) => `${b.binding.namespace}/${b.binding.serviceAccount}`)).toEqual(["payments/payments-worker"]);
    expect(writeFingerprint(sb.dir)).toBe(before);
    const r = await cli(["delete", "-f", "aks-wi.yaml", "--binding", "payments/payments-worker", "--yes"]);
    expect(r.code, r.stderr).toBe(0);
    const { msi } = arm();
    const fics = await collect(msi.federatedIdentityCredentials.list("rg-sandbox", "id-payments"));
    expect(fics.map((f) => f.name)).toEqual(["aks-wi-payments-payments-api"]);
    const sas = await kubectlJson(sb.info.kubeconfig, ["get", "serviceaccounts", "-n", "payments"]);
    expect(sas.items.map((i: any) => i.metadata.name).sort()).toEqual(["default", "payments-api"]);
    expect(existsSync(join(cwd, ".aks-wi", "aks-sandbox", "payments.payments-worker.json"))).toBe(false);
    expect((await cli(["status", "-f", "aks-wi.yaml", "--binding", "payments/payments-api"])).code).toBe(0);
    const verify = await cli(["verify", "--state", join(".aks-wi", "aks-sandbox", "payments.payments-api.json")]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it("a bad file: one line naming file:line and the field, exit 2, no request made", async () => {
    const bad = join(cwd, "bad.yaml");
    writeFileSync(bad, config([{ role: "Reader", scope: group }]).replace("serviceAccount: web\n", "serviceAccount: web\n    serviceAcount: typo\n"));
    // The log is appended as each answer ends: wait until the earlier tests' last lines are in.
    let before = -1;
    for (let n = (await readRequestLog(sb.dir)).length; n !== before; n = (await readRequestLog(sb.dir)).length) {
      before = n;
      await new Promise((r) => setTimeout(r, 100));
    }
    const r = await cli(["apply", "-f", "bad.yaml", "--yes"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml:18: bindings\[2\]\.serviceAcount: unknown field "serviceAcount"/m);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await readRequestLog(sb.dir)).slice(before)).toEqual([]);
  });
});
