// `aks-wi status --all`: the bindings aks-wi set up on a cluster, found from the marks it leaves
// (no file, no state: from any machine). A binding is a service account carrying the
// `aks-wi/binding` annotation; its identity is the one its client-id annotation names (else the
// aks-wi-tagged identity holding a credential for it); its roles are the assignments whose
// description is the binding's; its credential the one trusting its subject; its test pod the
// marked pod of init's or apply's name. Each becomes the inputs its plan is made from, so status
// reports drift in what was found (an annotation changed, a credential's issuer, the cluster's flags).
import type { AzureOps, IdentityInfo, KubeOps, RoleRequest, ServiceAccountInfo } from "../core/ports.js";
import {
  BINDING_ANNOTATION,
  CLIENT_ID_ANNOTATION,
  bindingOf,
  defaultFederatedCredentialName,
  madeForBinding,
  roleAssignmentDescription,
  serviceAccountSubject,
  taggedByAksWi,
} from "../core/workload-identity.js";
import type { InitInputs } from "./state.js";

export interface DiscoveredBinding {
  inputs: InitInputs;
  /** What could not be found from the marks (the identity, when nothing names it). */
  missing: string[];
}

export interface ClusterTarget {
  subscription: string;
  resourceGroup: string;
  cluster: string;
}

/** The test pod names init (`aks-wi-test`) and apply (`aks-wi-test-<sa>`) give. */
export const testPodNames = (serviceAccount: string) => ["aks-wi-test", `aks-wi-test-${serviceAccount}`.slice(0, 63).replace(/[-.]+$/, "")];

async function identityOf(azure: AzureOps, sa: ServiceAccountInfo, identities: IdentityInfo[], t: ClusterTarget): Promise<IdentityInfo | undefined> {
  const clientId = sa.annotations[CLIENT_ID_ANNOTATION]?.toLowerCase();
  const named = clientId ? identities.find((i) => i.clientId.toLowerCase() === clientId) : undefined;
  if (named) return named;
  // The annotation was removed or changed by hand: the identity aks-wi made that trusts this subject.
  const subject = serviceAccountSubject(sa.namespace, sa.name);
  for (const i of identities.filter((i) => taggedByAksWi(i.tags))) {
    const fics = await azure.listFederatedCredentials(t.subscription, i.resourceGroup, i.name);
    if (fics.some((f) => f.subject === subject)) return i;
  }
  return undefined;
}

export async function discoverBindings(azure: AzureOps, kube: KubeOps, t: ClusterTarget): Promise<DiscoveredBinding[]> {
  const namespaces = await kube.listNamespaces();
  const accounts = (await Promise.all(namespaces.map((ns) => kube.listServiceAccounts(ns)))).flat();
  const bound = accounts.filter((sa) => sa.annotations[BINDING_ANNOTATION] === bindingOf(sa.namespace, sa.name));
  if (bound.length === 0) return [];
  const identities = await azure.listIdentities(t.subscription);
  return Promise.all(
    bound.map(async (sa): Promise<DiscoveredBinding> => {
      const identity = await identityOf(azure, sa, identities, t);
      const subject = serviceAccountSubject(sa.namespace, sa.name);
      const [fics, assignments, pods] = await Promise.all([
        identity ? azure.listFederatedCredentials(t.subscription, identity.resourceGroup, identity.name) : [],
        identity ? azure.listRoleAssignments(`/subscriptions/${t.subscription}`, identity.principalId) : [],
        Promise.all(testPodNames(sa.name).map((n) => kube.getPod(sa.namespace, n))),
      ]);
      const mark = roleAssignmentDescription(sa.namespace, sa.name);
      const roles: RoleRequest[] = assignments
        .filter((a) => a.description === mark)
        .map((a) => ({ role: a.roleDefinitionId.split("/").pop()!, scope: a.scope }));
      const pod = pods.find((p) => p && madeForBinding(p, sa.namespace, sa.name));
      return {
        missing: identity
          ? []
          : [`the identity of ${bindingOf(sa.namespace, sa.name)}: no identity has client ID ${sa.annotations[CLIENT_ID_ANNOTATION] ?? "(none)"}`],
        inputs: {
          subscription: t.subscription,
          resourceGroup: t.resourceGroup,
          cluster: t.cluster,
          identity: identity?.name ?? "(unknown)",
          identityResourceGroup: identity?.resourceGroup ?? t.resourceGroup,
          namespace: sa.namespace,
          serviceAccount: sa.name,
          federatedCredential: fics.find((f) => f.subject === subject)?.name ?? defaultFederatedCredentialName(sa.namespace, sa.name),
          roles,
          testPod: !!pod,
          testPodName: pod?.name ?? testPodNames(sa.name)[0]!,
          overwrite: false,
          allowBroadScope: false,
          prune: false,
        },
      };
    }),
  );
}
