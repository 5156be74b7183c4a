// The azure-workload-identity mutating webhook (as the AKS add-on installs it): pure mutation of a
// pod at CREATE, plus the objects that make it visible and "take-down-able" in kube-system.
export const WI_LABEL = "azure.workload.identity/use";
export const CLIENT_ID_ANNOTATION = "azure.workload.identity/client-id";
export const TENANT_ID_ANNOTATION = "azure.workload.identity/tenant-id";
export const EXPIRATION_ANNOTATION = "azure.workload.identity/service-account-token-expiration";
export const SKIP_CONTAINERS_ANNOTATION = "azure.workload.identity/skip-containers";
export const TOKEN_VOLUME = "azure-identity-token";
export const TOKEN_MOUNT_PATH = "/var/run/secrets/azure/tokens";
export const TOKEN_FILE = `${TOKEN_MOUNT_PATH}/${TOKEN_VOLUME}`;
export const TOKEN_AUDIENCE = "api://AzureADTokenExchange";
export const WEBHOOK_NAME = "mutation.azure-workload-identity.io";
export const MWC_NAME = "azure-wi-webhook-mutating-webhook-configuration";
export const WEBHOOK_NAMESPACE = "kube-system";
export const WEBHOOK_DEPLOYMENT = "azure-wi-webhook-controller-manager";
export const WEBHOOK_SERVICE = "azure-wi-webhook-webhook-service";

const MIN_EXPIRATION = 3600;
const MAX_EXPIRATION = 86400;

export type MutationResult = { ok: true; pod: any; mutated: boolean } | { ok: false; message: string };

/** Mutates `pod` (a fresh copy is returned) as the webhook's /mutate-v1-pod handler does. The
 *  caller has already matched the objectSelector (pod label) and looked the service account up. */
export function mutatePod(pod: any, sa: any, opts: { tenantId: string; authorityHost: string }): MutationResult {
  const out = JSON.parse(JSON.stringify(pod));
  const saAnn: Record<string, string> = sa?.metadata?.annotations ?? {};
  const podAnn: Record<string, string> = out.metadata?.annotations ?? {};
  const raw = podAnn[EXPIRATION_ANNOTATION] ?? saAnn[EXPIRATION_ANNOTATION];
  let expiration = MIN_EXPIRATION;
  if (raw !== undefined) {
    const n = Number(raw);
    if (!/^-?\d+$/.test(String(raw).trim())) return { ok: false, message: `strconv.ParseInt: parsing "${raw}": invalid syntax` };
    if (n < MIN_EXPIRATION || n > MAX_EXPIRATION) return { ok: false, message: `token expiration ${n} not valid. Expected value to be between 3600 and 86400` };
    expiration = n;
  }
  const skip = new Set(
    (podAnn[SKIP_CONTAINERS_ANNOTATION] ?? "")
      .split(";")
      .map((s) => s.trim())
      .filter(Boolean),
  );
  const clientId = saAnn[CLIENT_ID_ANNOTATION] ?? "";
  const tenantId = saAnn[TENANT_ID_ANNOTATION] || opts.tenantId;
  const authority = opts.authorityHost.endsWith("/") ? opts.authorityHost : opts.authorityHost + "/";
  const wanted: Array<[string, string]> = [];
  if (clientId) wanted.push(["AZURE_CLIENT_ID", clientId]);
  wanted.push(["AZURE_TENANT_ID", tenantId], ["AZURE_FEDERATED_TOKEN_FILE", TOKEN_FILE], ["AZURE_AUTHORITY_HOST", authority]);

  const mutateContainer = (c: any) => {
    if (skip.has(c.name)) return;
    c.env ??= [];
    const have = new Set(c.env.map((e: any) => e.name));
    for (const [name, value] of wanted) if (!have.has(name)) c.env.push({ name, value });
    c.volumeMounts ??= [];
    if (!c.volumeMounts.some((m: any) => m.name === TOKEN_VOLUME)) c.volumeMounts.push({ name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT_PATH, readOnly: true });
  };
  out.spec ??= {};
  for (const c of out.spec.initContainers ?? []) mutateContainer(c);
  for (const c of out.spec.containers ?? []) mutateContainer(c);
  out.spec.volumes ??= [];
  if (!out.spec.volumes.some((v: any) => v.name === TOKEN_VOLUME))
    out.spec.volumes.push({
      name: TOKEN_VOLUME,
      projected: { defaultMode: 420, sources: [{ serviceAccountToken: { audience: TOKEN_AUDIENCE, expirationSeconds: expiration, path: TOKEN_VOLUME } }] },
    });
  return { ok: true, pod: out, mutated: true };
}

/** The MutatingWebhookConfiguration the add-on registers (failurePolicy Fail, as the chart ships it). */
export function mutatingWebhookConfiguration(caPem: string) {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "MutatingWebhookConfiguration",
    metadata: { name: MWC_NAME, labels: { "azure-workload-identity.io/system": "true", "addonmanager.kubernetes.io/mode": "Reconcile" } },
    webhooks: [
      {
        admissionReviewVersions: ["v1", "v1beta1"],
        clientConfig: {
          caBundle: Buffer.from(caPem).toString("base64"),
          service: { name: WEBHOOK_SERVICE, namespace: WEBHOOK_NAMESPACE, path: "/mutate-v1-pod", port: 443 },
        },
        failurePolicy: "Fail",
        matchPolicy: "Equivalent",
        name: WEBHOOK_NAME,
        namespaceSelector: { matchExpressions: [{ key: "control-plane", operator: "DoesNotExist" }] },
        objectSelector: { matchLabels: { [WI_LABEL]: "true" } },
        reinvocationPolicy: "Never",
        rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"], scope: "*" }],
        sideEffects: "None",
        timeoutSeconds: 10,
      },
    ],
  };
}

export function webhookDeployment() {
  const labels = { "azure-workload-identity.io/system": "true" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: WEBHOOK_DEPLOYMENT, namespace: WEBHOOK_NAMESPACE, labels: { ...labels, "kubernetes.azure.com/managedby": "aks" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: "manager", image: "mcr.microsoft.com/oss/v2/azure/workload-identity/webhook:v1.5.1" }] } },
    },
  };
}

export function webhookService() {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: WEBHOOK_SERVICE, namespace: WEBHOOK_NAMESPACE, labels: { "azure-workload-identity.io/system": "true" } },
    spec: {
      type: "ClusterIP",
      clusterIP: "10.0.182.113",
      clusterIPs: ["10.0.182.113"],
      ports: [{ port: 443, protocol: "TCP", targetPort: 9443 }],
      selector: { "azure-workload-identity.io/system": "true" },
    },
  };
}

export function webhookEndpoints(readyReplicas: number) {
  const addresses = Array.from({ length: readyReplicas }, (_, i) => ({ ip: `10.244.0.${20 + i}`, nodeName: "aks-nodepool1-12345678-vmss000000" }));
  return {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: WEBHOOK_SERVICE, namespace: WEBHOOK_NAMESPACE, labels: { "azure-workload-identity.io/system": "true" } },
    subsets: readyReplicas > 0 ? [{ addresses, ports: [{ port: 9443, protocol: "TCP" }] }] : [],
  };
}
