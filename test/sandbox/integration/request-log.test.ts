// DIR/requests.jsonl after a whole token flow through real clients: the operator's client-secret
// sign-in, ARM through the SDKs (a long-running cluster update, the cluster credential, an
// identity and its federated credential), the Kubernetes API through client-node (a TokenRequest,
// exec over WebSocket), the issuer fetched by Entra, and a workload's client-assertion exchange.
// Every request is one line with exactly the logged fields, attributed to whoever it
// authenticated as, and no token, secret or assertion appears anywhere in the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { ClientAssertionCredential } from "@azure/identity";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { CoreV1Api, Exec, KubeConfig, type V1Status } from "@kubernetes/client-node";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorOf } from "../../../sandbox/core/seed.js";
import { readRequestLog, type RequestLogEntry } from "../../../sandbox/index.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { enableWorkloadIdentity, rawCall } from "./calls.harness.js";

const NS = "default";
const SA = "logged-sa";
const POD = "logged-pod";

let sb: TestSandbox;
let lines: string[];
let log: RequestLogEntry[];
/** Every credential the flow handled, none of which may reach the log. */
const secrets: Record<string, string> = {};
let operatorOid: string;
let identityOid: string;
let kubeUser: string;

beforeAll(async () => {
  sb = await startTestSandbox();
  const cloud = sandboxCloud(sb.dir);
  const cred = await operatorCredential(sb);
  const sub = sb.info.subscriptionId,
    rg = sb.info.resourceGroup;
  secrets.clientSecret = sb.info.clientSecret;
  secrets.armToken = (await cred.getToken(cloud.armScope))!.token;
  operatorOid = operatorOf(sb.sandbox.world.state).principalId;

  const issuer = await enableWorkloadIdentity(sb);
  const aks = new ContainerServiceClient(cred, sub, cloud.clientOptions());
  const creds = await aks.managedClusters.listClusterUserCredentials(rg, sb.info.clusterName);
  const kubeconfig = Buffer.from(creds.kubeconfigs![0].value!).toString("utf8");
  secrets.kubeToken = /token: (\S+)/.exec(kubeconfig)![1];
  const staticTokens = JSON.parse(readFileSync(join(sb.dir, "kube-credentials.json"), "utf8"));
  secrets.kubeAdminToken = staticTokens.admin;

  const msi = new ManagedServiceIdentityClient(cred, sub, cloud.clientOptions());
  const identity = await msi.userAssignedIdentities.createOrUpdate(rg, "id-logged", { location: sb.info.location });
  identityOid = identity.principalId!;
  await msi.federatedIdentityCredentials.createOrUpdate(rg, "id-logged", "fic-logged", {
    issuer,
    subject: `system:serviceaccount:${NS}:${SA}`,
    audiences: ["api://AzureADTokenExchange"],
  });

  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  kubeUser = kc.getCurrentUser()!.name;
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace: NS, body: { metadata: { name: SA } } });
  const tr = await core.createNamespacedServiceAccountToken({
    name: SA,
    namespace: NS,
    body: { spec: { audiences: ["api://AzureADTokenExchange"], expirationSeconds: 3600 } },
  });
  secrets.assertion = tr.status!.token;
  await core.createNamespacedPod({
    namespace: NS,
    body: { metadata: { name: POD }, spec: { serviceAccountName: SA, containers: [{ name: "app", image: "busybox:1.36" }] } },
  });
  const status = await new Promise<V1Status>((resolve, reject) => {
    new Exec(kc).exec(NS, POD, "app", ["echo", "hi"], new PassThrough(), new PassThrough(), null, false, resolve).catch(reject);
  });
  expect(status.status).toBe("Success");

  const exchange = new ClientAssertionCredential(sb.info.tenantId, identity.clientId!, async () => secrets.assertion, {
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: true,
    tlsOptions: { ca: cloud.caPem! },
  } as ConstructorParameters<typeof ClientAssertionCredential>[3]);
  secrets.exchanged = (await exchange.getToken(cloud.armScope))!.token;

  // a query value can be a secret: only its key may be kept
  const probe = await rawCall(sb, "GET", `/subscriptions/${sub}/resourceGroups?api-version=2021-04-01&code=${secrets.clientSecret}&$top=5`, {
    token: secrets.armToken,
  });
  expect(probe.status).toBe(200);
  // a request without a credential that holds is logged with no caller
  expect((await rawCall(sb, "GET", `/subscriptions/${sub}?api-version=2022-12-01`, { token: "not-a-token" })).status).toBe(401);

  // read at once: stop() resolves only once every line is on disk
  await sb.sandbox.stop();
  lines = readFileSync(join(sb.dir, "requests.jsonl"), "utf8").split("\n").filter(Boolean);
  log = readRequestLog(sb.dir);
}, 120_000);
afterAll(async () => {
  await sb?.stop();
});

const of = (service: string) => log.filter((e) => e.service === service);

describe("the request log", () => {
  it("is DIR/requests.jsonl, readable only by its owner, one JSON object per request with exactly the logged fields", () => {
    expect(statSync(join(sb.dir, "requests.jsonl")).mode & 0o777).toBe(0o600);
    expect(log.length).toBe(lines.length);
    expect(sb.info.requestLog).toBe(join(sb.dir, "requests.jsonl"));
    for (const e of log) {
      expect(Object.keys(e).sort()).toEqual(["caller", "method", "ms", "path", "service", "status", "time"]);
      expect(new Date(e.time).toISOString()).toBe(e.time);
      expect(["arm", "login", "kube", "oidc"]).toContain(e.service);
      expect(Number.isInteger(e.ms) && e.ms >= 0).toBe(true);
    }
    expect(new Set(log.map((e) => e.service))).toEqual(new Set(["arm", "login", "kube", "oidc"]));
  });

  it("never holds a token, a secret or an assertion", () => {
    const text = lines.join("\n");
    for (const [what, value] of Object.entries(secrets)) {
      expect(value.length, what).toBeGreaterThan(16);
      expect(text.includes(value), what).toBe(false);
    }
    // nor any JWT at all, nor a header or form field that carries one
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
    expect(text).not.toMatch(/bearer|authorization|client_assertion|client_secret/i);
  });

  it("keeps query keys, and of their values only api-version's", () => {
    const probe = log.find((e) => e.path.includes("&code"))!;
    expect(probe.path).toBe(`/subscriptions/${sb.info.subscriptionId}/resourceGroups?api-version=2021-04-01&code&$top`);
    const exec = of("kube").find((e) => e.path.includes("/exec"))!;
    expect(exec).toMatchObject({ method: "GET", status: 101, caller: kubeUser });
    const [path, query] = exec.path.split("?");
    expect(path).toBe(`/api/v1/namespaces/${NS}/pods/${POD}/exec`);
    expect(query.split("&").sort()).toEqual(["command", "command", "container", "stderr", "stdin", "stdout", "tty"]);
    expect(exec.path).not.toContain("echo");
  });

  it("names who each request authenticated as", () => {
    const arm = of("arm");
    expect(arm.filter((e) => e.status === 401)).toEqual([expect.objectContaining({ caller: null })]);
    expect(arm.filter((e) => e.status !== 401).every((e) => e.caller === operatorOid)).toBe(true);
    const tokens = of("login").filter((e) => e.path.split("?")[0].endsWith("/oauth2/v2.0/token"));
    expect(tokens.map((e) => e.caller)).toEqual(expect.arrayContaining([operatorOid, identityOid]));
    expect(tokens.every((e) => e.status === 200 && e.method === "POST")).toBe(true);
    // MSAL's client-request-id is kept as a key only
    expect(tokens.every((e) => e.path.endsWith("/oauth2/v2.0/token?client-request-id"))).toBe(true);
    expect(of("kube").every((e) => e.caller === kubeUser)).toBe(true);
    expect(of("oidc").length).toBeGreaterThan(0);
    expect(of("oidc").every((e) => e.caller === null && e.status === 200)).toBe(true);
  });

  it("counts what the clients sent: the cluster update's PUT and its polls, the credential, the identity writes", () => {
    const arm = of("arm");
    const cluster = `/subscriptions/${sb.info.subscriptionId}/resourceGroups/${sb.info.resourceGroup}/providers/Microsoft.ContainerService/managedClusters/${sb.info.clusterName}`;
    expect(arm.filter((e) => e.method === "PUT" && e.path.startsWith(cluster + "?api-version="))).toHaveLength(1);
    expect(arm.filter((e) => e.method === "POST" && e.path.startsWith(cluster + "/listClusterUserCredential?"))).toHaveLength(1);
    expect(arm.filter((e) => e.method === "PUT" && e.path.includes("/userAssignedIdentities/id-logged"))).toHaveLength(2);
    expect(arm.every((e) => /[?&]api-version=\d{4}-\d{2}-\d{2}/.test(e.path))).toBe(true);
  });
});

describe("the request log under injected faults", () => {
  it("logs a dropped connection with no status and an injected 429 as answered, after the earlier run's lines", async () => {
    const before = readRequestLog(sb.dir).length;
    const { startSandbox } = await import("../../../sandbox/index.js");
    const again = await startSandbox({ dir: sb.dir, faults: "arm.drop=1x1,arm.429=1x1" });
    try {
      const path = `/subscriptions/${sb.info.subscriptionId}?api-version=2022-12-01`;
      const faulty = { ...sb, info: again.info };
      // a connection of its own each, so no pooled socket of the earlier run takes a fault
      await expect(rawCall(faulty, "GET", path, { agent: false })).rejects.toThrow(/socket hang up/);
      expect((await rawCall(faulty, "GET", path, { agent: false })).status).toBe(429);
    } finally {
      await again.stop();
    }
    const after = readRequestLog(sb.dir);
    expect(after.slice(0, before)).toEqual(log);
    expect(after.slice(before).map((e) => [e.service, e.status, e.caller])).toEqual([
      ["arm", null, null],
      ["arm", 429, null],
    ]);
  });
});
