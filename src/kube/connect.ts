// The one way init and verify reach a cluster's Kubernetes API: a kubeconfig file (--kubeconfig /
// --context, default $KUBECONFIG or ~/.kube/config), else the cluster's credential from ARM. For
// Entra-integrated clusters that credential names an exec plugin (kubelogin); instead of running
// it, callers pass a token provider (an Entra token for the AKS server app from the same Azure
// credential) and every request carries that token.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";
import { KubeConfig, setHeaderOptions, type ConfigurationOptions } from "@kubernetes/client-node";
import { UserError } from "../core/errors.js";
import type { AzureOps } from "../core/ports.js";

export type TokenProvider = () => Promise<string>;

export interface KubeConnectOptions {
  /** Supplies a bearer token per request, replacing the kubeconfig user's own auth (exec plugin). */
  token?: TokenProvider;
}

/** A kubeconfig to connect with: its YAML, the context to use, and the token provider if any. */
export interface KubeSource {
  yaml: string;
  context?: string;
  token?: TokenProvider;
}

/** How the user asked to reach the cluster. */
export interface KubeAccess {
  kubeconfig?: string;
  context?: string;
  /** The cluster's admin credential instead of the user credential. */
  admin?: boolean;
}

export interface ClusterRef {
  subscription: string;
  resourceGroup: string;
  cluster: string;
}

/** The first file of $KUBECONFIG, else ~/.kube/config (what kubectl reads). */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  return env.KUBECONFIG?.split(delimiter).find(Boolean) ?? join(homedir(), ".kube", "config");
}

export function readKubeconfig(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`cannot read kubeconfig ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "check --kubeconfig");
  }
}

/**
 * Where to connect: --kubeconfig/--context, else the cluster's credential from ARM (--admin for
 * the admin one). Entra-integrated clusters get `aadToken` (admin credentials carry their own
 * static auth and need none). `azure` is only called on the second path.
 */
export async function kubeSource(
  access: KubeAccess, env: NodeJS.ProcessEnv, target: ClusterRef,
  azure: () => Promise<Pick<AzureOps, "getCluster" | "getClusterKubeconfig">>, aadToken: TokenProvider,
): Promise<KubeSource> {
  if (access.kubeconfig || access.context) {
    return { yaml: readKubeconfig(access.kubeconfig ?? defaultKubeconfigPath(env)), context: access.context };
  }
  const { subscription, resourceGroup, cluster } = target;
  const ops = await azure();
  const info = await ops.getCluster(subscription, resourceGroup, cluster);
  if (!info) throw new UserError(`cluster "${cluster}" not found in resource group "${resourceGroup}"`, "check --resource-group and --cluster");
  const yaml = await ops.getClusterKubeconfig(subscription, resourceGroup, cluster, !!access.admin);
  return { yaml, token: info.aadEnabled && !access.admin ? aadToken : undefined };
}

/** A copy of `kc` whose current user carries only `token` (or no auth at all), so client-node
 *  never tries to spawn the user's exec plugin. */
export function replaceUserAuth(kc: KubeConfig, token?: string): KubeConfig {
  const out = new KubeConfig();
  const userName = kc.getContextObject(kc.getCurrentContext())?.user;
  out.loadFromOptions({
    clusters: kc.getClusters(),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
    users: kc.getUsers().map((u) => (u.name !== userName ? u : token ? { name: u.name, token } : { name: u.name })),
  });
  return out;
}

export interface KubeConnection {
  kc: KubeConfig;
  /** Per-request options (the bearer token header when a token provider is in use). */
  requestOptions(): Promise<ConfigurationOptions | undefined>;
}

export function connect(kubeconfigYaml: string, context?: string, opts: KubeConnectOptions = {}): KubeConnection {
  let kc = new KubeConfig();
  try {
    kc.loadFromString(kubeconfigYaml);
  } catch (e) {
    throw new UserError(`the kubeconfig could not be read: ${(e as Error).message}`, "check --kubeconfig (or drop it to use the cluster's credential from Azure)");
  }
  if (context) {
    if (!kc.getContextObject(context)) throw new UserError(`context "${context}" is not in the kubeconfig`, `pick one of: ${kc.getContexts().map((c) => c.name).join(", ")}`);
    kc.setCurrentContext(context);
  }
  const token = opts.token;
  if (token) kc = replaceUserAuth(kc); // the token goes on each request instead
  return {
    kc,
    async requestOptions() {
      if (!token) return undefined;
      return setHeaderOptions("Authorization", `Bearer ${await token()}`);
    },
  };
}
