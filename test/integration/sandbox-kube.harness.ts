// Starts the kube service alone on an HTTPS listener (CA-signed cert from `selfsigned`), with a
// minimal world and a small jose-based cluster issuer. Used until the shared startTestSandbox()
// helper and the OIDC issuer land; then the tests should switch to them.
import { createServer, type Server } from "node:https";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomUUID } from "node:crypto";
import { generate } from "selfsigned";
import { SignJWT, exportJWK, generateKeyPair } from "jose";
import { createKubeService } from "../../src/sandbox/kube/index.js";
import { buildKubeconfig } from "../../src/sandbox/kube/kubeconfig.js";
import { World, type WorldState } from "../../src/sandbox/world.js";
import type { ClusterIssuer, SandboxInfo, ServiceContext, LatencyProfile } from "../../src/sandbox/types.js";

export interface KubeHarness { dir: string; ctx: ServiceContext; world: World; kubeconfigPath: string; enableWorkloadIdentity(): string; stop(): Promise<void> }

/** The shared in-process sandbox (test/helpers/sandbox.ts), once it exists; instant latency only. */
async function sharedSandbox(): Promise<KubeHarness | undefined> {
  const helper = "../helpers/sandbox.js";
  const mod: any = await import(/* @vite-ignore */ helper).catch(() => undefined);
  if (typeof mod?.startTestSandbox !== "function") return undefined;
  const sb = await mod.startTestSandbox();
  const ctx: ServiceContext = sb.sandbox.ctx;
  const world: World = sb.sandbox.world;
  return {
    dir: sb.dir, ctx, world, kubeconfigPath: sb.info.kubeconfig,
    enableWorkloadIdentity() {
      const url = `${sb.info.oidcBase}/${sb.info.tenantId}/${randomUUID()}/`;
      const c = world.cluster();
      c.body.properties.oidcIssuerProfile = { enabled: true, issuerURL: url };
      c.body.properties.securityProfile = { ...(c.body.properties.securityProfile ?? {}), workloadIdentity: { enabled: true } };
      c.workloadIdentityEnabledAt = c.oidcIssuerEnabledAt = Date.now();
      world.save();
      return url;
    },
    stop: () => sb.stop(),
  };
}

export async function startKubeHarness(latency: Partial<LatencyProfile> = {}): Promise<KubeHarness> {
  if (Object.keys(latency).length === 0 && process.env.AKS_WI_KUBE_HARNESS !== "local") {
    const shared = await sharedSandbox();
    if (shared) return shared;
  }
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-kube-"));
  const ca = await generate([{ name: "commonName", value: "aks-wi sandbox test CA" }], {
    algorithm: "sha256", keySize: 2048, extensions: [{ name: "basicConstraints", cA: true, critical: true }, { name: "keyUsage", keyCertSign: true, digitalSignature: true, cRLSign: true, critical: true }],
  });
  const server = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    algorithm: "sha256", keySize: 2048, ca: { key: ca.private, cert: ca.cert },
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] }],
  });
  writeFileSync(join(dir, "ca.pem"), ca.cert);
  const tenantId = randomUUID();
  const state = {
    version: 1, tenantId, subscriptionId: randomUUID(), subscriptionName: "aks-wi-sandbox", foreignTenantId: randomUUID(), location: "eastus",
    resourceGroups: {}, resources: {}, identities: {}, federatedCredentials: {}, roleAssignments: {}, principals: {},
    clusters: { c: { id: "/subscriptions/x/resourceGroups/rg-sandbox/providers/Microsoft.ContainerService/managedClusters/aks-sandbox", body: { properties: {} }, operations: {} } },
    kube: { resourceVersion: 100, objects: {} },
  } as unknown as WorldState;
  const world = World.create(dir, state);
  const https: Server = createServer({ key: server.private, cert: server.cert });
  await new Promise<void>((r) => https.listen(0, "127.0.0.1", () => r()));
  const port = (https.address() as { port: number }).port;
  const info = {
    tenantId, subscriptionId: state.subscriptionId, subscriptionName: "aks-wi-sandbox", resourceGroup: "rg-sandbox", clusterName: "aks-sandbox", location: "eastus",
    armEndpoint: "https://127.0.0.1:1", authorityHost: "https://127.0.0.1:2", kubeServer: `https://127.0.0.1:${port}`, oidcBase: "https://127.0.0.1:3",
    caFile: join(dir, "ca.pem"), kubeconfig: join(dir, "kubeconfig"), clientId: "", clientSecret: "", armAudience: "https://management.core.windows.net/",
    ports: { arm: 1, login: 2, kube: port, oidc: 3 }, pid: process.pid, startedAt: new Date().toISOString(), latency: "instant", faults: "",
  } as SandboxInfo;
  const keys = await generateKeyPair("RS256");
  const kid = "test-kid";
  const issuer = (): string => world.cluster().body.properties?.oidcIssuerProfile?.enabled ? world.cluster().body.properties.oidcIssuerProfile.issuerURL : "https://kubernetes.default.svc.cluster.local";
  const clusterIssuer: ClusterIssuer = {
    currentIssuer: issuer,
    async mintServiceAccountToken(p) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ "kubernetes.io": { namespace: p.namespace, serviceaccount: { name: p.serviceAccount, uid: p.serviceAccountUid }, ...(p.pod ? { pod: p.pod } : {}) } })
        .setProtectedHeader({ alg: "RS256", kid }).setIssuer(issuer()).setSubject(`system:serviceaccount:${p.namespace}:${p.serviceAccount}`)
        .setAudience(p.audiences).setIssuedAt(now).setNotBefore(now).setExpirationTime(now + p.expirationSeconds).sign(keys.privateKey);
    },
    async jwks() { return { keys: [{ ...(await exportJWK(keys.publicKey)), kid, use: "sig", alg: "RS256" }] }; },
  };
  const ctx: ServiceContext = {
    info, world, caPem: ca.cert, clusterIssuer, now: () => Date.now(),
    latency: { name: "instant", clusterUpdateMs: 0, identityWriteMs: 0, ficParentNotFoundMs: 0, principalReplicationMs: 0, ficPropagationMs: 0, podStartMs: 0, ...latency },
    tokens: { verifyBearer: async () => ({ ok: false, reason: "signature", message: "no Entra in this harness" }), mintAccessToken: async () => { throw new Error("no Entra in this harness"); } },
  };
  const svc = createKubeService(ctx);
  https.on("request", (raw, res) => {
    const chunks: Buffer[] = [];
    raw.on("data", (c: Buffer) => chunks.push(c));
    raw.on("end", async () => {
      const url = new URL((raw.url ?? "/").replace(/^\/\/+/, "/"), info.kubeServer);
      const r = await svc.handle({ method: raw.method ?? "GET", url, path: decodeURIComponent(url.pathname), headers: raw.headers, body: Buffer.concat(chunks), raw });
      const isObj = typeof r.body === "object" && r.body !== null && !Buffer.isBuffer(r.body);
      res.writeHead(r.status, { "content-type": isObj ? "application/json" : "text/plain", ...(r.headers ?? {}) });
      res.end(isObj ? JSON.stringify(r.body) : (r.body as string | Buffer | undefined) ?? "");
    });
  });
  const upgraded = new Set<import("node:stream").Duplex>();
  https.on("upgrade", (req, socket, head) => { upgraded.add(socket); socket.on("close", () => upgraded.delete(socket)); svc.upgrade!(req, socket, head); });
  ctx.info.kubeconfig = join(dir, "kubeconfig");
  writeFileSync(ctx.info.kubeconfig, buildKubeconfig(ctx, "user"), { mode: 0o600 });
  return {
    dir, ctx, world, kubeconfigPath: ctx.info.kubeconfig,
    enableWorkloadIdentity() {
      const url = `${info.oidcBase}/${tenantId}/${randomUUID()}/`;
      const c = world.cluster();
      c.body.properties.oidcIssuerProfile = { enabled: true, issuerURL: url };
      c.body.properties.securityProfile = { workloadIdentity: { enabled: true } };
      c.workloadIdentityEnabledAt = Date.now();
      world.save();
      return url;
    },
    async stop() {
      for (const s of upgraded) s.destroy();
      https.closeAllConnections();
      await new Promise<void>((r) => https.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
