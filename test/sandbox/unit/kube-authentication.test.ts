// Kubernetes API authentication: the kubeconfig's static tokens, Entra tokens for the AKS AAD
// server app (through a fake TokenService, our own interface), and 401 Status otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { createKubeService } from "../../../sandbox/kube/index.js";
import { buildKubeconfig } from "../../../sandbox/kube/kubeconfig.js";
import { World, type WorldState } from "../../../sandbox/core/world.js";
import type { ServiceContext, TokenService } from "../../../sandbox/core/types.js";

let dir: string;
let ctx: ServiceContext;
const seen: Array<{ audiences: string[]; tenant?: string }> = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kube-auth-"));
  writeFileSync(join(dir, "ca.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  const world = World.create(dir, {
    tenantId: "t1",
    clusters: { c: { id: "c", body: { properties: {} }, operations: {} } },
    kube: { resourceVersion: 1, objects: {} },
  } as unknown as WorldState);
  const tokens: Pick<TokenService, "verifyBearer" | "mintAccessToken"> = {
    verifyBearer: async (authz, audiences, tenant) => {
      seen.push({ audiences, tenant });
      return authz === "Bearer a.good.jwt"
        ? { ok: true, claims: { aud: audiences[0], iss: "x", tid: "t1", oid: "o", sub: "o", appid: "a", iat: 0, nbf: 0, exp: 0 } }
        : { ok: false, reason: "signature", message: "bad" };
    },
    mintAccessToken: async () => "",
  };
  ctx = {
    info: { tenantId: "t1", clusterName: "aks-sandbox", resourceGroup: "rg-sandbox", kubeServer: "https://127.0.0.1:6443", caFile: join(dir, "ca.pem") } as any,
    // Only what the kube service uses of the token service (verifyBearer, mintAccessToken) is faked.
    world,
    caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    tokens: tokens as unknown as TokenService,
    now: () => Date.now(),
    latency: { podStartMs: 0 } as any,
    clusterIssuer: {} as any,
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (path: string, authorization?: string) => {
  const url = new URL(path, "https://127.0.0.1:6443");
  return createKubeService(ctx).handle({
    method: "GET",
    url,
    path: url.pathname,
    headers: authorization ? { authorization } : {},
    body: Buffer.alloc(0),
    raw: {} as any,
  });
};

describe("kube auth", () => {
  it("builds AKS-shaped kubeconfigs with distinct persisted tokens", () => {
    const user = parse(buildKubeconfig(ctx, "user"));
    const admin = parse(buildKubeconfig(ctx, "admin"));
    expect(user.clusters[0]).toEqual({
      name: "aks-sandbox",
      cluster: { "certificate-authority-data": Buffer.from(ctx.caPem).toString("base64"), server: "https://127.0.0.1:6443" },
    });
    expect(user.users[0].name).toBe("clusterUser_rg-sandbox_aks-sandbox");
    expect(admin.users[0].name).toBe("clusterAdmin_rg-sandbox_aks-sandbox");
    // AKS names both contexts after the cluster; `az aks get-credentials --admin` appends "-admin" itself
    for (const [config, userName] of [
      [user, "clusterUser_rg-sandbox_aks-sandbox"],
      [admin, "clusterAdmin_rg-sandbox_aks-sandbox"],
    ]) {
      expect(config.contexts).toEqual([{ name: "aks-sandbox", context: { cluster: "aks-sandbox", user: userName } }]);
      expect(config["current-context"]).toBe("aks-sandbox");
    }
    expect(user.users[0].user.token).not.toBe(admin.users[0].user.token);
    expect(statSync(join(dir, "kube-credentials.json")).mode & 0o777).toBe(0o600);
  });

  it("accepts both static tokens and an Entra token for the AKS server app", async () => {
    for (const kind of ["user", "admin"] as const) {
      const token = parse(buildKubeconfig(ctx, kind)).users[0].user.token;
      expect((await get("/api/v1/namespaces", `Bearer ${token}`)).status).toBe(200);
    }
    expect((await get("/api/v1/namespaces", "Bearer a.good.jwt")).status).toBe(200);
    expect(seen.at(-1)).toEqual({ audiences: ["6dae42f8-4368-4678-94ff-3960e28e3630", "spn:6dae42f8-4368-4678-94ff-3960e28e3630"], tenant: "t1" });
  });

  it("answers 401 Status without or with a bad token, but serves /version and /healthz anonymously", async () => {
    for (const authz of [undefined, "Bearer nope", "Bearer a.bad.jwt", "Basic eDp5"]) {
      const r = await get("/api/v1/pods", authz);
      expect(r).toEqual({
        status: 401,
        body: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: "Unauthorized", reason: "Unauthorized", code: 401 },
      });
    }
    expect((await get("/version")).status).toBe(200);
    expect((await get("/healthz")).body).toBe("ok");
  });
});
