// Builds a client-node KubeConfig from kubeconfig YAML. For Entra-integrated clusters the ARM
// kubeconfig names an exec plugin (kubelogin); instead of running it, callers pass a token
// provider (an Entra token for the AKS server app from the same Azure credential) and every
// request carries that token.
import { KubeConfig, setHeaderOptions, type ConfigurationOptions } from "@kubernetes/client-node";
import { UserError } from "../core/errors.js";

export type TokenProvider = () => Promise<string>;

export interface KubeConnectOptions {
  /** Supplies a bearer token per request, replacing the kubeconfig user's own auth (exec plugin). */
  token?: TokenProvider;
}

export interface KubeConnection {
  kc: KubeConfig;
  /** Per-request options (the bearer token header when a token provider is in use). */
  requestOptions(): Promise<ConfigurationOptions | undefined>;
}

export function connect(kubeconfigYaml: string, context?: string, opts: KubeConnectOptions = {}): KubeConnection {
  const kc = new KubeConfig();
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
  if (token) {
    // Drop the user's exec/auth-provider so client-node never tries to spawn kubelogin.
    const userName = kc.getContextObject(kc.getCurrentContext())?.user;
    kc.loadFromOptions({
      clusters: kc.getClusters(),
      contexts: kc.getContexts(),
      currentContext: kc.getCurrentContext(),
      users: kc.getUsers().map((u) => (u.name === userName ? { name: u.name } : u)),
    });
  }
  return {
    kc,
    async requestOptions() {
      if (!token) return undefined;
      return setHeaderOptions("Authorization", `Bearer ${await token()}`);
    },
  };
}
