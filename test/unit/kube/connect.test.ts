// The one way to a cluster: which kubeconfig, the cluster credential from ARM (with the Entra
// token only where it is needed), and the user-auth rewrite that keeps kubelogin from running.
import { homedir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import type { ClusterInfo } from "../../../src/core/ports.js";
import { connect, defaultKubeconfigPath, kubeSource, readKubeconfig, replaceUserAuth } from "../../../src/kube/connect.js";

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

  it("connect with a token provider drops the exec plugin and adds per-request options (the header)", async () => {
    const conn = connect(KUBECONFIG, undefined, { token });
    expect(conn.kc.getCurrentUser()?.exec).toBeUndefined();
    expect(await conn.requestOptions()).toBeDefined();
    const plain = connect(KUBECONFIG);
    expect(plain.kc.getCurrentUser()?.exec).toMatchObject({ command: "kubelogin" });
    expect(await plain.requestOptions()).toBeUndefined();
    expect(() => connect(KUBECONFIG, "nope")).toThrow(/context "nope" is not in the kubeconfig/);
  });
});
