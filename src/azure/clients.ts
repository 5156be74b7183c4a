// SDK clients for one cloud profile, created lazily and cached per subscription. Every client
// gets the profile's clientOptions() (endpoint, ARM scope, CA), so no caller needs to know which
// cloud it talks to.
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ResourceManagementClient } from "@azure/arm-resources";
import { SubscriptionClient } from "@azure/arm-resources-subscriptions";
import type { CloudProfile } from "./cloud.js";
import { proxyConfigured } from "../core/proxy.js";
import { proxyAgentPolicy } from "./proxy-policy.js";
import { SDK_MAX_RETRIES, retryNoticePolicy } from "./retry-notice.js";
import { azureTimeoutMs, timeoutPolicy } from "./timeout-policy.js";

export interface AzureClients {
  containerService(subscription: string): ContainerServiceClient;
  msi(subscription: string): ManagedServiceIdentityClient;
  authorization(subscription: string): AuthorizationManagementClient;
  resources(subscription: string): ResourceManagementClient;
  subscriptions(): SubscriptionClient;
}

export function createClients(profile: CloudProfile): AzureClients {
  proxyConfigured(); // a malformed HTTPS_PROXY is an input mistake, found before any request
  const cache = new Map<string, unknown>();
  function cached<T>(key: string, make: () => T): T {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  }
  const cred = () => profile.credential();
  // Every client's SDK retries say so, through the run's retry listener.
  const notice = retryNoticePolicy(() => profile.onRetry);
  // HTTPS_PROXY / NO_PROXY as every other call of aks-wi reads them (src/core/proxy.ts).
  const proxy = proxyAgentPolicy(profile.caPem);
  // Every attempt bounded in time (AKS_WI_AZURE_TIMEOUT); inside the notice, which says each retry.
  const timeout = timeoutPolicy(azureTimeoutMs());
  const opts = () => ({
    ...profile.clientOptions(),
    retryOptions: { maxRetries: SDK_MAX_RETRIES },
    additionalPolicies: [
      { policy: notice, position: "perRetry" as const },
      { policy: timeout, position: "perRetry" as const },
      { policy: proxy, position: "perCall" as const },
    ],
  });
  return {
    containerService: (s) => cached(`aks|${s}`, () => new ContainerServiceClient(cred(), s, opts())),
    msi: (s) => cached(`msi|${s}`, () => new ManagedServiceIdentityClient(cred(), s, opts())),
    authorization: (s) => cached(`auth|${s}`, () => new AuthorizationManagementClient(cred(), s, opts())),
    resources: (s) => cached(`rm|${s}`, () => new ResourceManagementClient(cred(), s, opts())),
    subscriptions: () => cached("subs", () => new SubscriptionClient(cred(), opts())),
  };
}

/** Collects a paged SDK listing. */
export async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
