// The one way to a cluster: which kubeconfig, the cluster credential from ARM (with the Entra
// token only where it is needed), and the user-auth rewrite that keeps kubelogin from running.
import { mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { HttpMethod, KubeConfig, RequestContext, type ConfigurationOptions } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import type { ClusterInfo } from "../../../src/core/ports.js";
import { checkKubeAccess, connect, defaultKubeconfigPath, kubeSource, readKubeconfig, replaceUserAuth } from "../../../src/kube/connect.js";

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: "https://127.0.0.1:6443" } }]
contexts: [{ name: ctx, context: { cluster: c, user: u } }, { name: other, context: { cluster: c, user: u2 } }]
current-context: ctx
users:
  - { name: u, user: { exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin, args: [get-token] } } }
  - { name: u2, user: { token: static } }
`;

const target = { subscription: "sub", resourceGroup: "rg", cluster: "aks" };
const token = async () => "entra-token";

function arm(cluster: Partial<ClusterInfo> | undefined) {
  const calls: string[] = [];
  return {
    calls,
    azure: async () => ({
      getCluster: async () => (calls.push("getCluster"), cluster && ({ aadEnabled: false, ...cluster } as ClusterInfo)),
      getClusterKubeconfig: async (_s: string, _rg: string, _c: string, admin: boolean) => (calls.push(`kubeconfig admin=${admin}`), KUBECONFIG),
    }),
  };
}

describe("kubeconfig files", () => {
  it("defaults to the first file of $KUBECONFIG, else ~/.kube/config", () => {
    expect(defaultKubeconfigPath({ KUBECONFIG: `::/a/one${process.platform === "win32" ? ";" : ":"}/b/two` })).toBe("/a/one");
    expect(defaultKubeconfigPath({})).toBe(join(homedir(), ".kube", "config"));
  });

  it("a file that cannot be read is a usage error naming it", () => {
    const e = (() => {
      try {
        readKubeconfig("/nonexistent/kubeconfig");
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toBe("kubeconfig /nonexistent/kubeconfig does not exist (nor does a directory above it that could hold it)");
    expect((e as UserError).suggestion).toBe("check --kubeconfig (or drop it to use the cluster's credential from Azure)");
  });
});

describe("kubeSource", () => {
  it("the cluster's user credential from ARM, with the Entra token on an Entra-integrated cluster", async () => {
    const a = arm({ aadEnabled: true });
    const src = await kubeSource({}, {}, target, a.azure, token);
    expect(a.calls).toEqual(["getCluster", "kubeconfig admin=false"]);
    expect(src.token).toBe(token);
  });

  it("no token where the credential carries its own auth: --admin, or no Entra integration", async () => {
    expect((await kubeSource({ admin: true }, {}, target, arm({ aadEnabled: true }).azure, token)).token).toBeUndefined();
    expect((await kubeSource({}, {}, target, arm({ aadEnabled: false }).azure, token)).token).toBeUndefined();
  });

  it("a missing cluster names the flags to check", async () => {
    await expect(kubeSource({}, {}, target, arm(undefined).azure, token)).rejects.toThrow('cluster "aks" not found in resource group "rg"');
  });

  it("--context reads the default kubeconfig and never asks ARM", async () => {
    const a = arm({});
    await expect(kubeSource({ context: "ctx" }, { KUBECONFIG: "/nonexistent/kc" }, target, a.azure, token)).rejects.toThrow(
      "kubeconfig /nonexistent/kc does not exist",
    );
    expect(a.calls).toEqual([]);
  });
});

describe("replaceUserAuth", () => {
  it("replaces only the current user's auth: a static token, or none at all", () => {
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    const withToken = replaceUserAuth(kc, "t0k");
    expect(withToken.getUser("u")).toMatchObject({ name: "u", token: "t0k" });
    expect(withToken.getUser("u")?.exec).toBeUndefined();
    expect(withToken.getUser("u2")).toMatchObject({ token: "static" });
    const bare = replaceUserAuth(kc);
    expect(bare.getUser("u")?.exec).toBeUndefined();
    expect(bare.getUser("u")?.token).toBeUndefined();
    expect(bare.getCurrentContext()).toBe("ctx");
  });

  /** A request as the per-request options' middleware leave it: its headers and its abort signal. */
  async function applied(o: ConfigurationOptions): Promise<RequestContext> {
    let ctx = new RequestContext("https://127.0.0.1:6443/api", HttpMethod.GET);
    for (const m of o.middleware ?? []) ctx = await m.pre(ctx).toPromise();
    return ctx;
  }

  it("connect with a token provider drops the exec plugin and adds per-request options (the header)", async () => {
    const conn = connect(KUBECONFIG, undefined, { token });
    expect(conn.kc.getCurrentUser()?.exec).toBeUndefined();
    const withHeader = await applied(await conn.requestOptions());
    expect(withHeader.getHeaders().Authorization).toMatch(/^Bearer /);
    const plain = connect(KUBECONFIG);
    expect(plain.kc.getCurrentUser()?.exec).toMatchObject({ command: "kubelogin" });
    // Without a token provider the only per-request option is the time limit: no header.
    const bare = await applied(await plain.requestOptions());
    expect(bare.getHeaders().Authorization).toBeUndefined();
    expect(bare.getSignal()?.aborted).toBe(false);
    expect(() => connect(KUBECONFIG, "nope")).toThrow(/context "nope" is not in the kubeconfig/);
  });

  it("gives every request its own time limit: 30 s by default, the option or AKS_WI_KUBE_TIMEOUT otherwise", async () => {
    expect(connect(KUBECONFIG).timeoutMs).toBe(30_000);
    expect(connect(KUBECONFIG, undefined, { timeoutMs: 50 }).timeoutMs).toBe(50);
    const conn = connect(KUBECONFIG, undefined, { timeoutMs: 50 });
    const first = (await applied(await conn.requestOptions())).getSignal()!;
    await new Promise((r) => setTimeout(r, 80));
    expect(first.aborted).toBe(true);
    // A retry's request starts its own clock.
    expect((await applied(await conn.requestOptions())).getSignal()!.aborted).toBe(false);
  });
});

describe("$KUBECONFIG with several files: merged as kubectl merges them", () => {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-kc-"));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const a = file(
    "a.yaml",
    `apiVersion: v1
kind: Config
clusters: [{ name: shared, cluster: { server: "https://a.example:6443", certificate-authority: ca.crt } }]
contexts: [{ name: ctx-a, context: { cluster: shared, user: ua } }, { name: both, context: { cluster: shared, user: ua } }]
users: [{ name: ua, user: { token: from-a } }]
`,
  );
  const b = file(
    "b.yaml",
    `apiVersion: v1
kind: Config
current-context: ctx-b
clusters:
  - { name: shared, cluster: { server: "https://b.example:6443" } }
  - { name: cb, cluster: { server: "https://cb.example:6443" } }
contexts: [{ name: ctx-b, context: { cluster: cb, user: ub } }, { name: both, context: { cluster: cb, user: ub } }]
users: [{ name: ub, user: { token: from-b } }]
`,
  );
  const empty = file("empty.yaml", "");
  const env = { KUBECONFIG: [join(dir, "missing.yaml"), a, empty, b].join(delimiter) };

  it("first file wins per name, the current context comes from the first file that sets one, paths are relative to their file", async () => {
    const src = await kubeSource({ context: "ctx-b" }, env, target, arm({}).azure, token);
    const kc = new KubeConfig();
    kc.loadFromString(src.yaml);
    expect(kc.getClusters().map((c) => [c.name, c.server])).toEqual([
      ["shared", "https://a.example:6443"],
      ["cb", "https://cb.example:6443"],
    ]);
    expect(kc.getCluster("shared")!.caFile).toBe(join(dir, "ca.crt"));
    expect(kc.getContexts().map((c) => [c.name, c.user])).toEqual([
      ["ctx-a", "ua"],
      ["both", "ua"],
      ["ctx-b", "ub"],
    ]);
    expect(kc.getCurrentContext()).toBe("ctx-b");
    expect(src.context).toBe("ctx-b");
    // --context of the second file connects with the second file's cluster and user
    const conn = connect(src.yaml, "ctx-b");
    expect(conn.kc.getCurrentCluster()!.server).toBe("https://cb.example:6443");
    expect(conn.kc.getCurrentUser()!.token).toBe("from-b");
  });

  it("a context in none of the files is a usage error naming the list and the contexts there are", () => {
    expect(() => checkKubeAccess({ context: "nope" }, env)).toThrow(/^context "nope" is not in the kubeconfig \$KUBECONFIG \(4 files merged\)$/);
    expect(() => checkKubeAccess({ context: "ctx-a" }, env)).not.toThrow();
  });

  it("a list of files none of which exists says so", () => {
    expect(() => checkKubeAccess({ context: "x" }, { KUBECONFIG: [join(dir, "no1"), join(dir, "no2")].join(delimiter) })).toThrow(
      /^none of the 2 kubeconfig files in \$KUBECONFIG exists or holds anything$/,
    );
  });

  it("--kubeconfig names one file and ignores $KUBECONFIG", async () => {
    const src = await kubeSource({ kubeconfig: a }, env, target, arm({}).azure, token);
    expect(src.yaml).toContain("from-a");
    expect(src.yaml).not.toContain("from-b");
  });
});
