// The names and rules of Azure Workload Identity, as the webhook, Entra and AKS define them: the
// one copy the product uses (the sandbox keeps its own, so a fake never shares our constants).

/** The pod label the webhook selects pods by (on the pod itself, not its service account). */
export const USE_LABEL = "azure.workload.identity/use";
/** The service-account annotation naming the identity's client ID. */
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
/** The service-account annotation naming the identity's tenant, when it is not the cluster's. */
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
/** The pod annotation listing containers (";"-separated) the webhook leaves alone. */
export const SKIP_CONTAINERS_ANNOTATION = "azure.workload.identity/skip-containers";

/** The audience of the projected token and of every federated credential. */
export const TOKEN_AUDIENCE = "api://AzureADTokenExchange";
/** What the webhook injects into every container of a labelled pod. */
export const WI_ENV = ["AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"] as const;

const SUBJECT_PREFIX = "system:serviceaccount:";

/** The subject Kubernetes puts in a service account token: what a federated credential must match. */
export function serviceAccountSubject(namespace: string, name: string): string {
  return `${SUBJECT_PREFIX}${namespace}:${name}`;
}

/** The namespace and name in a service account subject; undefined for any other subject. */
export function parseServiceAccountSubject(subject: string): { namespace: string; name: string } | undefined {
  if (!subject.startsWith(SUBJECT_PREFIX)) return undefined;
  const rest = subject.slice(SUBJECT_PREFIX.length);
  const i = rest.indexOf(":");
  return i < 0 ? undefined : { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
}

/** Azure's limit of federated identity credentials per user-assigned identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;

/** Where the AKS add-on installs the mutating webhook. */
export const WEBHOOK_NAMESPACE = "kube-system";
export const WEBHOOK_DEPLOYMENT = "azure-wi-webhook-controller-manager";
/** The webhook's name in its MutatingWebhookConfiguration (the chart's and the add-on's). */
export const WEBHOOK_MUTATION_NAME = "mutation.azure-workload-identity.io";
/** The label selector of the webhook's own pods. */
export const WEBHOOK_SELECTOR = "azure-workload-identity.io/system=true";

// ---- What aks-wi marks as its own, so it can be found again from any machine ----

/** The label on Kubernetes objects aks-wi created (namespace, service account, test pod): only
 *  such objects are ever deleted or recreated by it. */
export const MANAGED_BY = { key: "app.kubernetes.io/managed-by", value: "aks-wi" } as const;
/** The annotation naming the binding (namespace/service account) an object serves; also put on a
 *  service account aks-wi only annotated, which it must never delete. */
export const BINDING_ANNOTATION = "aks-wi/binding";
/** The tag on identities aks-wi created (Azure tag names are case-insensitive). */
export const MANAGED_BY_TAG = { key: "managed-by", value: "aks-wi" } as const;

export const bindingOf = (namespace: string, serviceAccount: string) => `${namespace}/${serviceAccount}`;

/** Whether a Kubernetes object (a test pod) is one aks-wi made for this binding: its label and binding annotation. */
export function madeForBinding(o: { labels: Record<string, string>; annotations: Record<string, string> }, namespace: string, serviceAccount: string): boolean {
  return o.labels[MANAGED_BY.key] === MANAGED_BY.value && o.annotations[BINDING_ANNOTATION] === bindingOf(namespace, serviceAccount);
}

/** Whether ARM's tags mark an identity as made by aks-wi (tag names are case-insensitive in Azure). */
export function taggedByAksWi(tags: Record<string, string> | undefined): boolean {
  return Object.entries(tags ?? {}).some(([k, v]) => k.toLowerCase() === MANAGED_BY_TAG.key && v === MANAGED_BY_TAG.value);
}

/** The description of a role assignment aks-wi made (their names are deterministic too). */
export function roleAssignmentDescription(namespace: string, serviceAccount: string): string {
  return `Made by aks-wi for the workload identity of ${bindingOf(namespace, serviceAccount)}`;
}

/** The federated credential aks-wi names for a binding, `aks-wi-<namespace>-<sa>`, trimmed to the
 *  credential naming rules (3-120, [A-Za-z0-9_-], starts alphanumeric): a credential of this name
 *  on the binding's identity is aks-wi's own, so a changed issuer or subject on it is repaired. */
export function defaultFederatedCredentialName(namespace: string, serviceAccount: string): string {
  const name = `aks-wi-${namespace}-${serviceAccount}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 120);
  return name.replace(/-+$/, "");
}
