// The one way init and verify reach a cluster's Kubernetes API: a kubeconfig file (--kubeconfig /
// --context, default the files of $KUBECONFIG merged as kubectl merges them, or ~/.kube/config),
// else the cluster's credential from ARM. For
// Entra-integrated clusters that credential names an exec plugin (kubelogin); instead of running
// it, callers pass a token provider (an Entra token for the AKS server app from the same Azure
// credential) and every request carries that token.
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { KubeConfig, Observable, setHeaderOptions, type ConfigurationOptions } from "@kubernetes/client-node";
import { UserError } from "../core/errors.js";
import { assertRealPath, clip, fsError } from "../core/files.js";
import type { AzureOps } from "../core/ports.js";
import { refuseAdmin } from "../core/kube-advice.js";
import { proxyFor } from "../core/proxy.js";
import { kubeTimeoutMs, type KubeTimeoutOptions } from "./retry.js";

export type TokenProvider = () => Promise<string>;

export interface KubeConnectOptions extends KubeTimeoutOptions {
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

/** The first file of $KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigPath(env: NodeJS.ProcessEnv): string {
  return defaultKubeconfigPaths(env)[0]!;
}

/** What kubectl reads without --kubeconfig: every file $KUBECONFIG lists (empty entries and
 *  repeats dropped), else ~/.kube/config. */
export function defaultKubeconfigPaths(env: NodeJS.ProcessEnv): string[] {
  const listed = (env.KUBECONFIG ?? "").split(delimiter).filter(Boolean);
  return listed.length ? [...new Set(listed)] : [join(homedir(), ".kube", "config")];
}

/** A kubeconfig's text and what messages call it (its path, or the $KUBECONFIG list). */
export interface KubeconfigText {
  yaml: string;
  where: string;
}

/** The kubeconfig of --kubeconfig, else of $KUBECONFIG (its files merged), else ~/.kube/config. */
export function readKubeconfigFor(access: Pick<KubeAccess, "kubeconfig">, env: NodeJS.ProcessEnv): KubeconfigText {
  if (access.kubeconfig) return { yaml: readKubeconfig(access.kubeconfig), where: access.kubeconfig };
  const paths = defaultKubeconfigPaths(env);
  if (paths.length === 1) return { yaml: readKubeconfig(paths[0]!), where: paths[0]! };
  return mergeKubeconfigs(paths);
}

/** First of each name, in file order. */
function firstByName<T extends { name: string }>(lists: T[][]): T[] {
  const out = new Map<string, T>();
  for (const list of lists) for (const item of list) if (!out.has(item.name)) out.set(item.name, item);
  return [...out.values()];
}

/**
 * Several kubeconfig files merged as kubectl merges $KUBECONFIG (client-go's loading rules): a
 * listed file that does not exist or is empty is skipped; the first file to define a cluster,
 * user or context of a name wins; the current context is the first file's that sets one. Paths
 * inside each file (certificate files) are taken relative to that file's directory.
 */
export function mergeKubeconfigs(paths: string[]): KubeconfigText {
  const where = `$KUBECONFIG (${paths.length} files merged)`;
  const configs: KubeConfig[] = [];
  for (const path of paths) {
    assertRealPath(path, "kubeconfig");
    if (!existsSync(path)) continue;
    const yaml = readKubeconfig(path, true);
    if (yaml.trim() === "") continue;
    const kc = parseKubeconfig(yaml, path);
    kc.makePathsAbsolute(dirname(path));
    configs.push(kc);
  }
  if (!configs.length) {
    throw new UserError(
      `none of the ${paths.length} kubeconfig files in $KUBECONFIG exists or holds anything`,
      `check KUBECONFIG (${clip(paths.join(delimiter))}), or pass --kubeconfig FILE`,
    );
  }
  const merged = new KubeConfig();
  merged.loadFromOptions({
    clusters: firstByName(configs.map((k) => k.getClusters())),
    users: firstByName(configs.map((k) => k.getUsers())),
    contexts: firstByName(configs.map((k) => k.getContexts())),
    currentContext: configs.map((k) => k.getCurrentContext()).find(Boolean) ?? "",
  });
  return { yaml: merged.exportConfig(), where };
}

/** A kubeconfig file's text; empty is refused unless `emptyOk` (a file of a $KUBECONFIG list). */
export function readKubeconfig(path: string, emptyOk = false): string {
  assertRealPath(path, "kubeconfig");
  let yaml: string;
  try {
    yaml = readFileSync(path, "utf8");
  } catch (e) {
    throw fsError(e, path, "kubeconfig", "check --kubeconfig (or drop it to use the cluster's credential from Azure)");
  }
  if (yaml.trim() === "" && !emptyOk)
    throw new UserError(`kubeconfig ${clip(path)} is empty`, "check --kubeconfig (or drop it to use the cluster's credential from Azure)");
  return yaml;
}

/**
 * Checks a kubeconfig file before anything else runs: readable, a kubeconfig, with the context
 * asked for (or a current one). A bad one is an input mistake, found in a second, not in the plan.
 */
export function checkKubeconfigFile(path: string, context?: string): void {
  checkKubeconfig({ yaml: readKubeconfig(path), where: path }, context);
}

function checkKubeconfig({ yaml, where }: KubeconfigText, context?: string): void {
  const kc = parseKubeconfig(yaml, where);
  if (context) {
    if (!kc.getContextObject(context)) throw new UserError(`context "${clip(context)}" is not in the kubeconfig ${clip(where)}`, contextHint(kc));
  } else if (!kc.getContextObject(kc.getCurrentContext())) {
    throw new UserError(
      `kubeconfig ${clip(where)} has no current context`,
      kc.getContexts().length ? `pass --context: ${contextHint(kc)}` : "check --kubeconfig: it names no context at all",
    );
  }
}

/** --kubeconfig / --context checked up front (see checkKubeconfigFile); nothing to check without them. */
export function checkKubeAccess(access: KubeAccess, env: NodeJS.ProcessEnv): void {
  if (access.kubeconfig || access.context) checkKubeconfig(readKubeconfigFor(access, env), access.context);
}

const contextHint = (kc: KubeConfig) =>
  kc.getContexts().length
    ? `pick one of: ${clip(
        kc
          .getContexts()
          .map((c) => c.name)
          .join(", "),
      )}`
    : "it names no context at all";

function parseKubeconfig(yaml: string, where = "the kubeconfig"): KubeConfig {
  const kc = new KubeConfig();
  let problem: string | undefined;
  try {
    kc.loadFromString(yaml);
  } catch (e) {
    problem = (e as Error).message.split("\n")[0];
  }
  // client-node reads a YAML list or scalar without complaint, then fails on first use.
  if (problem || !Array.isArray(kc.getClusters())) {
    throw new UserError(
      `${where === "the kubeconfig" ? where : `kubeconfig ${clip(where)}`} is not a kubeconfig${problem && !/Cannot read|undefined/.test(problem) ? ` (${clip(problem)})` : ""}`,
      "check --kubeconfig (or drop it to use the cluster's credential from Azure)",
    );
  }
  return kc;
}

/**
 * Where to connect: --kubeconfig/--context, else the cluster's credential from ARM (--admin for
 * the admin one). Entra-integrated clusters get `aadToken` (admin credentials carry their own
 * static auth and need none). `azure` is only called on the second path.
 */
export async function kubeSource(
  access: KubeAccess,
  env: NodeJS.ProcessEnv,
  target: ClusterRef,
  azure: () => Promise<Pick<AzureOps, "getCluster" | "getClusterKubeconfig">>,
  aadToken: TokenProvider,
): Promise<KubeSource> {
  if (access.kubeconfig || access.context) {
    return { yaml: readKubeconfigFor(access, env).yaml, context: access.context };
  }
  const { subscription, resourceGroup, cluster } = target;
  const ops = await azure();
  const info = await ops.getCluster(subscription, resourceGroup, cluster);
  if (!info) throw new UserError(`cluster "${cluster}" not found in resource group "${resourceGroup}"`, "check --resource-group and --cluster");
  refuseAdmin(info, access.admin);
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

/**
 * kubectl honours a cluster's `proxy-url`, else HTTPS_PROXY / NO_PROXY; client-node 1.4 only the
 * first (it tunnels through it, REST and exec alike, with the cluster's CA inside the tunnel). So
 * a cluster without one gets the environment's, chosen by the one rule (src/core/proxy.ts).
 */
function withEnvProxy(kc: KubeConfig): KubeConfig {
  const current = kc.getCurrentCluster();
  if (!current || current.proxyUrl) return kc;
  const proxy = proxyFor(current.server);
  if (!proxy) return kc;
  const out = new KubeConfig();
  out.loadFromOptions({
    clusters: kc.getClusters().map((c) => (c.name === current.name ? { ...c, proxyUrl: proxy.href } : c)),
    contexts: kc.getContexts(),
    currentContext: kc.getCurrentContext(),
    users: kc.getUsers(),
  });
  return out;
}

export interface KubeConnection {
  kc: KubeConfig;
  /** Each request's time limit in ms (see DEFAULT_KUBE_TIMEOUT_MS in retry.ts). */
  timeoutMs: number;
  /** Per-request options: the time limit, and the bearer token header when a token provider is in use. */
  requestOptions(): Promise<ConfigurationOptions>;
}

/**
 * client-node 1.4 has no timeout, but its RequestContext carries an AbortSignal that node-fetch
 * honours (connect, TLS, headers and body alike): a middleware gives each request its own, started
 * when the request is sent. node-fetch then rejects with its AbortError, which kubeRetry turns into
 * a KubeTimeoutError (retry.ts).
 */
function timeoutMiddleware(ms: number): NonNullable<ConfigurationOptions["middleware"]>[number] {
  return {
    pre: (ctx) => {
      ctx.setSignal(AbortSignal.timeout(ms));
      return new Observable(Promise.resolve(ctx));
    },
    post: (rsp) => new Observable(Promise.resolve(rsp)),
  };
}

export function connect(kubeconfigYaml: string, context?: string, opts: KubeConnectOptions = {}): KubeConnection {
  let kc = parseKubeconfig(kubeconfigYaml);
  if (context) {
    if (!kc.getContextObject(context)) throw new UserError(`context "${clip(context)}" is not in the kubeconfig`, contextHint(kc));
    kc.setCurrentContext(context);
  }
  kc = withEnvProxy(kc);
  const token = opts.token;
  if (token) kc = replaceUserAuth(kc); // the token goes on each request instead
  const timeoutMs = kubeTimeoutMs(opts);
  const timed: ConfigurationOptions = { middleware: [timeoutMiddleware(timeoutMs)], middlewareMergeStrategy: "append" };
  return {
    kc,
    timeoutMs,
    async requestOptions() {
      if (!token) return timed;
      return setHeaderOptions("Authorization", `Bearer ${await token()}`, timed);
    },
  };
}
