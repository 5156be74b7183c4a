// The reads of one plan, each made at most once however many steps need it: the cluster is read
// by four steps and the identity by five, and on Azure every ARM round trip costs 100–400 ms and
// counts against the subscription's read throttle. A fresh Observations is made for every plan,
// so a re-plan (a re-run) always sees the world as it is now. Several bindings planned together
// (`aks-wi apply -f`) pass one `shared` cache: a cluster, identity or namespace they have in
// common is read once for all of them.
import { subscriptionOf } from "../core/arm-ids.js";
import { StepError, type UserError } from "../core/errors.js";
import type {
  AzureOps,
  ClusterInfo,
  FederatedCredentialInfo,
  IdentityInfo,
  KubeOps,
  PodInfo,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
  ServiceAccountInfo,
  WorkloadInfo,
  WorkloadKind,
} from "../core/ports.js";
import type { InitInputs } from "./state.js";
import { identitySubscriptionOf } from "./steps/shared.js";

export interface Observations {
  /** The cluster as ARM reports it; a missing cluster stops the plan naming the inputs. */
  cluster(): Promise<ClusterInfo>;
  /** The cluster's tenant: its identity's tenant when ARM reports it, else the subscription's. */
  tenant(): Promise<string | undefined>;
  identity(): Promise<IdentityInfo | undefined>;
  /** The identity's federated credentials ([] while the identity does not exist). */
  federatedCredentials(): Promise<FederatedCredentialInfo[]>;
  role(scope: string, role: string): Promise<RoleDefinitionInfo | undefined>;
  /** Every role assignment of the identity's principal ([] while the identity does not exist). */
  roleAssignments(): Promise<RoleAssignmentInfo[]>;
  namespaceExists(): Promise<boolean>;
  serviceAccount(): Promise<ServiceAccountInfo | undefined>;
  testPod(): Promise<PodInfo | undefined>;
  /** A workload named by --workload, in the namespace (undefined when absent). */
  workload(kind: WorkloadKind, name: string): Promise<WorkloadInfo | undefined>;
  /** The pods its selector selects now ([] when it does not exist or has no selector). */
  workloadPods(kind: WorkloadKind, name: string): Promise<PodInfo[]>;
}

/** Reads shared by the plans of several bindings, by what they read. */
export type SharedReads = Map<string, Promise<unknown>>;

/** The scopes one listing each covers all of: the subscriptions of the identity and of every role scope. */
function listingScopes(inputs: InitInputs): string[] {
  const all = [
    `/subscriptions/${identitySubscriptionOf(inputs)}`,
    ...inputs.roles.map((r) => (subscriptionOf(r.scope) ? `/subscriptions/${subscriptionOf(r.scope)}` : r.scope)),
  ];
  return [...new Map(all.map((s) => [s.toLowerCase(), s])).values()].sort();
}

/**
 * The principal's role assignments, listed once per subscription the plan touches: at subscription
 * scope, `principalId eq` returns the assignments "at, above or below the scope"
 * (azure-rest-api-specs, authorization RoleAssignmentsCalls.json, RoleAssignments_ListForSubscription),
 * so one read finds both the requested ones and those aks-wi made earlier at other scopes. A caller
 * who may not read at subscription scope (403) gets each requested scope listed instead.
 */
async function listAssignments(azure: AzureOps, inputs: InitInputs, scopes: string[], principalId: string): Promise<RoleAssignmentInfo[]> {
  const lists = await Promise.all(
    scopes.map(async (scope) => {
      try {
        return await azure.listRoleAssignments(scope, principalId);
      } catch (e) {
        if ((e as UserError & { statusCode?: number }).statusCode !== 403) throw e;
        const under = inputs.roles.filter((r) => r.scope.toLowerCase().startsWith(scope.toLowerCase()));
        return (await Promise.all(under.map((r) => azure.listRoleAssignments(r.scope, principalId)))).flat();
      }
    }),
  );
  const byId = new Map(lists.flat().map((a) => [a.id.toLowerCase(), a]));
  return [...byId.values()];
}

export function observe(inputs: InitInputs, azure: AzureOps, kube: () => Promise<KubeOps>, shared: SharedReads = new Map()): Observations {
  const { subscription, resourceGroup, cluster: name, identityResourceGroup, identity: idName, namespace, serviceAccount, testPodName } = inputs;
  const memo =
    <T>(key: string, make: () => Promise<T>): (() => Promise<T>) =>
    () => {
      const k = key.toLowerCase();
      let p = shared.get(k) as Promise<T> | undefined;
      if (!p) shared.set(k, (p = make()));
      return p;
    };
  const clusterKey = `${subscription}/${resourceGroup}/${name}`;
  // The identity may live in another subscription than the cluster (--identity-subscription).
  const idSub = identitySubscriptionOf(inputs);
  const identityKey = `${idSub}/${identityResourceGroup}/${idName}`;
  const cluster = memo(`cluster|${clusterKey}`, async () => {
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
  const identity = memo(`identity|${identityKey}`, () => azure.getIdentity(idSub, identityResourceGroup, idName));
  const serviceAccountRead = memo(`sa|${clusterKey}|${namespace}/${serviceAccount}`, async () => (await kube()).getServiceAccount(namespace, serviceAccount));
  const workload = (kind: WorkloadKind, wname: string) =>
    memo(`workload|${clusterKey}|${namespace}/${kind}/${wname}`, async () => (await kube()).getWorkload(namespace, kind, wname))();
  return {
    cluster,
    tenant: memo(`tenant|${clusterKey}`, async () => {
      const c = await cluster();
      if (c.tenantId) return c.tenantId;
      const want = subscription.toLowerCase();
      return (await azure.listSubscriptions()).find((s) => s.id.toLowerCase() === want || s.id.toLowerCase().endsWith(`/${want}`))?.tenantId;
    }),
    identity,
    federatedCredentials: memo(`fics|${identityKey}`, async () =>
      (await identity()) ? azure.listFederatedCredentials(idSub, identityResourceGroup, idName) : [],
    ),
    role: (scope, role) => memo(`role|${scope}|${role}`, () => azure.resolveRole(scope, role))(),
    roleAssignments: memo(`assignments|${identityKey}|${listingScopes(inputs).join(",")}`, async () => {
      const principalId = (await identity())?.principalId;
      return principalId ? listAssignments(azure, inputs, listingScopes(inputs), principalId) : [];
    }),
    // A service account exists only in an existing namespace: when it is found, the namespace is
    // not read again.
    namespaceExists: memo(`ns|${clusterKey}|${namespace}`, async () => ((await serviceAccountRead()) ? true : (await kube()).namespaceExists(namespace))),
    serviceAccount: serviceAccountRead,
    testPod: memo(`pod|${clusterKey}|${namespace}/${testPodName}`, async () => (await kube()).getPod(namespace, testPodName)),
    workload,
    workloadPods: (kind, wname) =>
      memo(`workload-pods|${clusterKey}|${namespace}/${kind}/${wname}`, async () => {
        const w = await workload(kind, wname);
        return w?.selector ? (await kube()).listPods(namespace, w.selector) : [];
      })(),
  };
}
