// Acceptance of issue 13 point 7: `aks-wi doctor` on a sandbox cluster seeded by hand (kubectl and
// the ARM SDK, never aks-wi) with one healthy setup and ten setups that each carry a different
// known mistake names each mistake, on the right workload, with its fix; -o json is versioned.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { createAzureOps } from "../../src/azure/ops.js";
import { readRequestLog } from "../../sandbox/index.js";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { CLI, cleanEnv, runCli, tempDir, type CliResult } from "../helpers/init-cli.harness.js";

const RG = "rg-sandbox";
const CLUSTER = "aks-sandbox";
const SA = "app";
const AUD = "api://AzureADTokenExchange";
const USE = "azure.workload.identity/use";
const CLIENT_ID = "azure.workload.identity/client-id";
const IMAGE = "mcr.microsoft.com/azure-cli:latest";

let sb: TestSandbox;
let work: string;
let kubeconfig: string;
let msi: ManagedServiceIdentityClient;
let issuer: string;
const clientIds: Record<string, string> = {};

function kubectl(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("kubectl", args, { env: { ...cleanEnv(), KUBECONFIG: kubeconfig }, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(" ")} failed: ${err}`))));
    child.stdin.end(input ?? "");
  });
}

const apply = (obj: unknown) => kubectl(["apply", "-f", "-"], JSON.stringify(obj));

async function identity(name: string): Promise<string> {
  const id = await msi.userAssignedIdentities.createOrUpdate(RG, name, { location: sb.info.location });
  clientIds[name] = id.clientId!;
  return id.clientId!;
}

const fic = (id: string, p: { issuer?: string; subject: string; audiences?: string[] }) =>
  msi.federatedIdentityCredentials.createOrUpdate(RG, id, "fic", { issuer: p.issuer ?? issuer, subject: p.subject, audiences: p.audiences ?? [AUD] });

const subject = (ns: string, sa = SA) => `system:serviceaccount:${ns}:${sa}`;

async function namespaceWithSa(ns: string, sa: { annotations?: Record<string, string>; labels?: Record<string, string> }) {
  await kubectl(["create", "namespace", ns]);
  await apply({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SA, namespace: ns, annotations: sa.annotations ?? {}, labels: sa.labels ?? {} } });
}

async function pod(ns: string, name: string, labelled = true) {
  await apply({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: ns, labels: labelled ? { app: name, [USE]: "true" } : { app: name } },
    spec: { serviceAccountName: SA, containers: [{ name: "main", image: IMAGE, command: ["sleep", "infinity"] }] },
  });
  await kubectl(["-n", ns, "wait", "--for=jsonpath={.status.phase}=Running", `pod/${name}`, "--timeout=30s"]);
}

/** One healthy setup and ten, each with its own mistake; each in its own namespace. */
const SETUPS: Record<string, () => Promise<void>> = {
  async healthy() {
    const c = await identity("id-healthy");
    await fic("id-healthy", { subject: subject("healthy") });
    await namespaceWithSa("healthy", { annotations: { [CLIENT_ID]: c } });
    await pod("healthy", "web");
  },
  async typo() {
    const c = await identity("id-typo");
    await fic("id-typo", { subject: subject("typo") });
    await namespaceWithSa("typo", { annotations: { "azure.workload.identity/client_id": c } });
    await pod("typo", "web");
  },
  async "not-guid"() {
    await identity("id-not-guid");
    await fic("id-not-guid", { subject: subject("not-guid") });
    await namespaceWithSa("not-guid", { annotations: { [CLIENT_ID]: "id-not-guid" } });
  },
  async "unknown-id"() {
    await namespaceWithSa("unknown-id", { annotations: { [CLIENT_ID]: "00000000-1111-2222-3333-444444444444" } });
  },
  async "label-sa"() {
    const c = await identity("id-label-sa");
    await fic("id-label-sa", { subject: subject("label-sa") });
    await namespaceWithSa("label-sa", { annotations: { [CLIENT_ID]: c }, labels: { [USE]: "true" } });
    await pod("label-sa", "web", false);
  },
  async "label-deploy"() {
    const c = await identity("id-label-deploy");
    await fic("id-label-deploy", { subject: subject("label-deploy") });
    await namespaceWithSa("label-deploy", { annotations: { [CLIENT_ID]: c } });
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "label-deploy", labels: { app: "web", [USE]: "true" } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { serviceAccountName: SA, containers: [{ name: "main", image: IMAGE, command: ["sleep", "infinity"] }] },
        },
      },
    });
    await kubectl(["-n", "label-deploy", "rollout", "status", "deployment/web", "--timeout=30s"]);
  },
  async "early-pod"() {
    const c = await identity("id-early-pod");
    await fic("id-early-pod", { subject: subject("early-pod") });
    await namespaceWithSa("early-pod", {});
    await pod("early-pod", "web");
    await kubectl(["-n", "early-pod", "annotate", "serviceaccount", SA, `${CLIENT_ID}=${c}`]);
  },
  async slash() {
    const c = await identity("id-slash");
    await fic("id-slash", { subject: subject("slash"), issuer: issuer.replace(/\/$/, "") });
    await namespaceWithSa("slash", { annotations: { [CLIENT_ID]: c } });
    await pod("slash", "web");
  },
  async subject() {
    const c = await identity("id-subject");
    await fic("id-subject", { subject: subject("subject", "ap") });
    await namespaceWithSa("subject", { annotations: { [CLIENT_ID]: c } });
    await pod("subject", "web");
  },
  async audience() {
    const c = await identity("id-audience");
    await fic("id-audience", { subject: subject("audience"), audiences: ["api://AzureADTokenExchange2"] });
    await namespaceWithSa("audience", { annotations: { [CLIENT_ID]: c } });
    await pod("audience", "web");
  },
  async "no-fic"() {
    const c = await identity("id-no-fic");
    await namespaceWithSa("no-fic", { annotations: { [CLIENT_ID]: c } });
  },
};

function doctor(extra: string[] = []): Promise<CliResult> {
  return runCli(["doctor", "--sandbox", "--sandbox-dir", sb.dir, ...extra], { cwd: work });
}

interface JsonFinding {
  check: string;
  id: string;
  status: string;
  message: string;
  expected?: string;
  actual?: string;
  fix?: string;
}
interface JsonWorkload {
  namespace: string;
  serviceAccount: string;
  kind: string;
  name: string;
  status: string;
  findings: JsonFinding[];
}

async function doctorJson(extra: string[] = []) {
  const r = await doctor(["-o", "json", ...extra]);
  let report: any;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`doctor printed no JSON (exit ${r.code}): ${r.stderr}\n${r.stdout.slice(-2000)}`);
  }
  return { r, report, workloads: report.workloads as JsonWorkload[] };
}

let offline: CliResult;
beforeAll(async () => {
  sb = await startTestSandbox();
  work = tempDir("aks-wi-doctor-");
  const profile = sandboxCloud(sb.dir);
  const cred = profile.credential();
  const sub = sb.info.subscriptionId;
  // Before workload identity: doctor names the cluster's state (the one cluster-level mistake it cannot seed later).
  offline = await doctor(["-o", "json"]);
  const ops = createAzureOps(profile);
  const c = await ops.enableWorkloadIdentity((await ops.getCluster(sub, RG, CLUSTER))!);
  issuer = c.issuerUrl!;
  kubeconfig = join(work, "kubeconfig");
  const aks = new ContainerServiceClient(cred, sub, profile.clientOptions());
  writeFileSync(kubeconfig, Buffer.from((await aks.managedClusters.listClusterUserCredentials(RG, CLUSTER)).kubeconfigs![0]!.value!));
  msi = new ManagedServiceIdentityClient(cred, sub, profile.clientOptions());
  for (const seed of Object.values(SETUPS)) await seed();
}, 180_000);
afterAll(async () => {
  await sb?.stop();
});

/** The one workload of namespace `ns` (each setup has exactly one). */
function workloadOf(workloads: JsonWorkload[], ns: string): JsonWorkload {
  const mine = workloads.filter((w) => w.namespace === ns);
  expect(mine, `workloads of ${ns}: ${JSON.stringify(workloads.map((w) => `${w.namespace}/${w.kind}/${w.name}`))}`).toHaveLength(1);
  return mine[0]!;
}

function failing(w: JsonWorkload, id: string): JsonFinding {
  const f = w.findings.find((x) => x.id === id);
  expect(f, `${w.namespace}: expected ${id} among ${JSON.stringify(w.findings.map((x) => `${x.status} ${x.id}`))}`).toBeDefined();
  expect(f!.status).toBe("FAIL");
  expect(f!.fix).toBeTruthy();
  expect(w.status).toBe("FAIL");
  return f!;
}

describe("aks-wi doctor", () => {
  it("names workload identity and the OIDC issuer off on a cluster that never had them", () => {
    expect(offline.code).toBe(3);
    const report = JSON.parse(offline.stdout);
    const ids = report.clusterFindings.map((f: JsonFinding) => `${f.status} ${f.id}`);
    expect(ids).toEqual(expect.arrayContaining(["FAIL oidc-issuer-disabled", "FAIL workload-identity-disabled", "FAIL webhook-missing"]));
    expect(report.clusterFindings.find((f: JsonFinding) => f.id === "workload-identity-disabled").fix).toMatch(/--enable-workload-identity/);
  });

  it("names each seeded mistake and its fix on the right workload; the healthy one passes", async () => {
    const { r, report, workloads } = await doctorJson();
    expect(r.code, r.stderr).toBe(3);
    expect(report).toMatchObject({
      version: 1,
      result: "fail",
      exitCode: 3,
      namespace: null,
      exchange: false,
      cluster: { resourceGroup: RG, cluster: CLUSTER },
    });
    expect(report.clusterFindings.map((f: JsonFinding) => f.status)).toEqual(["PASS"]);
    expect(workloads.map((w) => w.namespace).sort()).toEqual(Object.keys(SETUPS).sort());
    expect(report.summary).toMatchObject({ workloads: 11, fail: 10 });

    const healthy = workloadOf(workloads, "healthy");
    expect(healthy).toMatchObject({ kind: "pod", name: "web", status: "PASS" });

    const typo = failing(workloadOf(workloads, "typo"), "sa-annotation-typo");
    expect(typo.actual).toBe(`azure.workload.identity/client_id=${clientIds["id-typo"]}`);
    expect(typo.fix).toContain(`${CLIENT_ID}=${clientIds["id-typo"]}`);
    expect(typo.fix).toContain("azure.workload.identity/client_id-");

    const guid = failing(workloadOf(workloads, "not-guid"), "sa-client-id-not-guid");
    expect(guid.message).toMatch(/identity id-not-guid's name/);
    // Named by its name, the identity is still found, and its credential (which matches) read.
    expect(
      workloadOf(workloads, "not-guid")
        .findings.filter((f) => f.check === "identity")
        .map((f) => f.id),
    ).toEqual(["fic-ok"]);
    expect(guid.fix).toBe(`kubectl -n not-guid annotate serviceaccount app --overwrite ${CLIENT_ID}=${clientIds["id-not-guid"]}`);

    const unknown = failing(workloadOf(workloads, "unknown-id"), "identity-not-found");
    expect(unknown.message).toContain("no managed identity with client ID 00000000-1111-2222-3333-444444444444");

    const onSa = failing(workloadOf(workloads, "label-sa"), "label-only-on-sa");
    expect(onSa.fix).toMatch(/pod template's metadata.labels/);

    const deploy = workloadOf(workloads, "label-deploy");
    expect(deploy).toMatchObject({ kind: "deployment", name: "web" });
    expect(failing(deploy, "label-only-on-deployment").fix).toContain("kubectl -n label-deploy rollout restart deployment web");

    const early = failing(workloadOf(workloads, "early-pod"), "pod-before-annotation");
    expect(early.expected).toContain(`AZURE_CLIENT_ID=${clientIds["id-early-pod"]}`);
    expect(early.fix).toMatch(/kubectl -n early-pod delete pod web/);

    const slash = failing(workloadOf(workloads, "slash"), "issuer-trailing-slash");
    expect(slash).toMatchObject({ expected: issuer, actual: issuer.replace(/\/$/, "") });
    expect(slash.fix).toContain(`--issuer ${issuer}`);

    const subj = failing(workloadOf(workloads, "subject"), "subject-service-account");
    expect(subj).toMatchObject({ expected: subject("subject"), actual: subject("subject", "ap") });
    expect(subj.fix).toContain(`--subject ${subject("subject")}`);

    const aud = failing(workloadOf(workloads, "audience"), "audience-mismatch");
    expect(aud.actual).toBe(JSON.stringify(["api://AzureADTokenExchange2"]));
    expect(aud.fix).toContain(`--audiences ${AUD}`);

    const none = failing(workloadOf(workloads, "no-fic"), "fic-missing");
    expect(none.fix).toContain(`az identity federated-credential create -g ${RG} --identity-name id-no-fic`);
  });

  it("prints one line per workload, each failing finding's fix under it", async () => {
    const r = await doctor();
    expect(r.code).toBe(3);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/^Doctor: 11 workload\(s\) using workload identity in all namespaces of cluster aks-sandbox/);
    const lineOf = (ns: string) => lines.findIndex((l) => l.includes(` ${ns}/${SA}`));
    expect(lines[lineOf("healthy")]).toMatch(/^PASS\s+healthy\/app pod\/web\s+ok: identity id-healthy, pod web/);
    for (const [ns, what, fix] of [
      ["typo", "instead of", "annotate serviceaccount app"],
      ["label-deploy", "is on the Deployment web", "rollout restart deployment web"],
      ["slash", "trailing slash", "az identity federated-credential update"],
      ["audience", "audiences are not exactly", "--audiences api://AzureADTokenExchange"],
    ] as const) {
      const i = lineOf(ns);
      expect(lines[i], ns).toMatch(new RegExp(`^FAIL\\s+${ns}/app .*${what}`));
      expect(lines[i + 1], ns).toMatch(new RegExp(`^\\s+fix: .*${fix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    }
    expect(lines.at(-2)).toMatch(/^10 of 11 workload\(s\) fail/);
  });

  it("--namespace looks at one namespace only; a healthy one exits 0", async () => {
    const { r, report, workloads } = await doctorJson(["--namespace", "healthy"]);
    expect(r.code, r.stdout).toBe(0);
    expect(report).toMatchObject({ version: 1, result: "pass", namespace: "healthy" });
    expect(workloads.map((w) => `${w.namespace}/${w.name}`)).toEqual(["healthy/web"]);
  });

  it("--exchange trades each running pod's token: the healthy one gets an ARM token, a mismatched credential is refused", async () => {
    const ok = await doctorJson(["--namespace", "healthy", "--exchange"]);
    expect(ok.r.code, ok.r.stdout).toBe(0);
    const healthy = workloadOf(ok.workloads, "healthy");
    expect(healthy.findings.filter((f) => f.check === "exchange").map((f) => `${f.status} ${f.id}`)).toEqual(["PASS exchange-ok"]);
    expect(healthy.findings.some((f) => f.check === "token" && f.status === "PASS")).toBe(true);

    const bad = await doctorJson(["--namespace", "audience", "--exchange"]);
    expect(bad.r.code).toBe(3);
    const ex = workloadOf(bad.workloads, "audience").findings.filter((f) => f.check === "exchange");
    expect(ex.map((f) => f.status)).toEqual(["FAIL"]);
  });

  it("a Kubernetes user bound to one namespace is told to pass --namespace; with it, that namespace is checked", async () => {
    const made = await runCli(["sandbox", "principal", "create", "viewer", "--kube-namespace", "healthy", "--kube-role", "view", "--dir", sb.dir], {
      cwd: work,
    });
    expect(made.code, made.stderr).toBe(0);
    const viewer = JSON.parse(made.stdout) as { kubeconfig: string };
    const denied = await doctor(["--kubeconfig", viewer.kubeconfig]);
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/listing .* in all namespaces: .*\n\s+hint: you may not list it in every namespace: pass --namespace NS, or use --admin/);
    const { r, report, workloads } = await doctorJson(["--kubeconfig", viewer.kubeconfig, "--namespace", "healthy"]);
    expect(r.code, r.stdout).toBe(0);
    expect(workloads.map((w) => `${w.namespace}/${w.name} ${w.status}`)).toEqual(["healthy/web PASS"]);
    // The webhook lives in kube-system, which this user may not read: a warning, not a failure.
    expect(report.clusterFindings.map((f: JsonFinding) => `${f.status} ${f.id}`)).toContain("WARN webhook-unknown");
  });

  it("names a webhook without ready endpoints as the cluster's problem", async () => {
    await kubectl(["-n", "kube-system", "scale", "deployment", "azure-wi-webhook-controller-manager", "--replicas=0"]);
    try {
      const { r, report } = await doctorJson(["--namespace", "healthy"]);
      expect(r.code).toBe(3);
      const f = report.clusterFindings.find((x: JsonFinding) => x.id === "webhook-no-endpoints");
      expect(f).toMatchObject({ status: "FAIL" });
      expect(f.fix).toMatch(/scale deploy azure-wi-webhook-controller-manager/);
    } finally {
      await kubectl(["-n", "kube-system", "scale", "deployment", "azure-wi-webhook-controller-manager", "--replicas=2"]);
    }
  });
});

describe("aks-wi doctor at scale", () => {
  it("lists each kind once however many service accounts there are, and reads only the named identities' credentials", async () => {
    const many = 300;
    const items = Array.from({ length: many }, (_, i) => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: `sa-${i}`, namespace: "many", annotations: { [CLIENT_ID]: clientIds["id-healthy"] } },
    }));
    await kubectl(["create", "namespace", "many"]);
    await kubectl(["apply", "-f", "-"], items.map((i) => JSON.stringify(i)).join("\n"));
    const before = readRequestLog(sb.dir).length;
    const started = Date.now();
    const { r, workloads } = await doctorJson();
    const took = Date.now() - started;
    expect(r.code).toBe(3);
    expect(workloads.filter((w) => w.namespace === "many")).toHaveLength(many);
    // Each has no credential for its own subject: named on its own line with its own fix.
    const one = workloadOf(workloads, "healthy");
    expect(one.status).toBe("PASS");
    expect(workloads.find((w) => w.name === "sa-7")!.findings.find((f) => f.status === "FAIL")?.fix).toContain("--subject system:serviceaccount:many:sa-7");
    const calls = readRequestLog(sb.dir).slice(before);
    const lists = calls.filter(
      (c) => c.service === "kube" && c.method === "GET" && /^\/api\/v1\/(serviceaccounts|pods)|^\/apis\/apps\/v1\/deployments/.test(c.path),
    );
    expect(lists.map((c) => c.path.split("?")[0]).sort()).toEqual(["/api/v1/pods", "/api/v1/serviceaccounts", "/apis/apps/v1/deployments"]);
    const credentialReads = calls.filter((c) => c.service === "arm" && /federatedIdentityCredentials$/i.test(c.path.split("?")[0]!));
    expect(credentialReads).toHaveLength(Object.keys(clientIds).length);
    expect(calls.filter((c) => c.service === "arm" && /userAssignedIdentities$/i.test(c.path.split("?")[0]!))).toHaveLength(1);
    expect(took).toBeLessThan(15_000);
  });
});

describe("aks-wi doctor --help", () => {
  it("loads no Azure or Kubernetes SDK", () => {
    // As test/integration/cli-startup.test.ts: a resolve hook records every bare specifier.
    const dir = mkdtempSync(join(tmpdir(), "aks-wi-doctor-startup-"));
    const log = join(dir, "resolved.txt");
    const hooks = join(dir, "hooks.mjs");
    writeFileSync(
      hooks,
      `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith(".") && !specifier.startsWith("node:") && !specifier.startsWith("file:")) appendFileSync(${JSON.stringify(log)}, specifier + "\\n");
  return next(specifier, context);
}\n`,
    );
    const register = join(dir, "register.mjs");
    writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, CLI, "doctor", "--help"], { encoding: "utf8" });
    const specifiers = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: aks-wi doctor/);
    expect(r.stdout).toMatch(/Examples:/);
    expect(specifiers).toContain("commander");
    expect(specifiers.filter((s) => /^@azure\/|^@kubernetes\/|^@inquirer\/|^jose$|^ws$/.test(s))).toEqual([]);
  });
});
