// The reads of one plan, each made at most once however many steps need it: the cluster is read
// by four steps and the identity by five, and on Azure every ARM round trip costs 100–400 ms and
// counts against the subscription's read throttle. A fresh Observations is made for every plan,
// so a re-plan (a re-run) always sees the world as it is now.
import { StepError } from "../core/errors.js";
import type { AzureOps, ClusterInfo, FederatedCredentialInfo, IdentityInfo, KubeOps, PodInfo, RoleDefinitionInfo, ServiceAccountInfo } from "../core/ports.js";
import type { InitInputs } from "./state.js";

export interface Observations {
  /** The cluster as ARM reports it; a missing cluster stops the plan naming the inputs. */
  cluster(): Promise<ClusterInfo>;
  /** The cluster's tenant: its identity's tenant when ARM reports it, else the subscription's. */
  tenant(): Promise<string | undefined>;
  identity(): Promise<IdentityInfo | undefined>;
  /** The identity's federated credentials ([] while the identity does not exist). */
  federatedCredentials(): Promise<FederatedCredentialInfo[]>;
  role(scope: string, role: string): Promise<RoleDefinitionInfo | undefined>;
  namespaceExists(): Promise<boolean>;
  serviceAccount(): Promise<ServiceAccountInfo | undefined>;
  testPod(): Promise<PodInfo | undefined>;
}

function memo<T>(make: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= make());
}

export function observe(inputs: InitInputs, azure: AzureOps, kube: () => Promise<KubeOps>): Observations {
  const { subscription, resourceGroup, cluster: name, identityResourceGroup, identity: idName, namespace, serviceAccount, testPodName } = inputs;
  const cluster = memo(async () => {
    const info = await azure.getCluster(subscription, resourceGroup, name);
    if (!info) {
      throw new StepError(
        "cluster",
        `cluster "${name}" not found in resource group "${resourceGroup}" of subscription ${subscription}`,
        "check --subscription, --resource-group and --cluster",
      );
    }
    return info;
  });
  const identity = memo(() => azure.getIdentity(subscription, identityResourceGroup, idName));
  const roles = new Map<string, Promise<RoleDefinitionInfo | undefined>>();
  const serviceAccountRead = memo(async () => (await kube()).getServiceAccount(namespace, serviceAccount));
  return {
    cluster,
    tenant: memo(async () => {
      const c = await cluster();
      if (c.tenantId) return c.tenantId;
      const want = subscription.toLowerCase();
      return (await azure.listSubscriptions()).find((s) => s.id.toLowerCase() === want || s.id.toLowerCase().endsWith(`/${want}`))?.tenantId;
    }),
    identity,
    federatedCredentials: memo(async () => ((await identity()) ? azure.listFederatedCredentials(subscription, identityResourceGroup, idName) : [])),
    role(scope, role) {
      const key = `${scope}|${role}`.toLowerCase();
      let p = roles.get(key);
      if (!p) roles.set(key, (p = azure.resolveRole(scope, role)));
      return p;
    },
    // A service account exists only in an existing namespace: when it is found, the namespace is
    // not read again.
    namespaceExists: memo(async () => ((await serviceAccountRead()) ? true : (await kube()).namespaceExists(namespace))),
    serviceAccount: serviceAccountRead,
    testPod: memo(async () => (await kube()).getPod(namespace, testPodName)),
  };
}
