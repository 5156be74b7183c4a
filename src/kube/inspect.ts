// The Kubernetes reads `aks-wi verify` needs beyond KubeOps: the webhook (its
// MutatingWebhookConfiguration, the Service that names and its Endpoints, its Deployment),
// Deployments and their pods, managedFields of an annotation, and exec in a pod.
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  type V1LabelSelector,
  type V1ManagedFieldsEntry,
  type V1MutatingWebhookConfiguration,
} from "@kubernetes/client-node";
import type { VerifyKube } from "../verify/ports.js";
import type { WebhookFacts } from "../verify/types.js";
import { WEBHOOK_DEPLOYMENT, WEBHOOK_MUTATION_NAME, WEBHOOK_NAMESPACE } from "../core/workload-identity.js";
import { transientOf } from "../core/retry.js";
import { connect, type KubeConnectOptions } from "./connect.js";
import { podExec } from "./exec.js";
import { createKubeOps } from "./ops.js";
import { kubeRetry, type KubeRetryOptions } from "./retry.js";

const iso = (d: Date | string | undefined) => (d ? new Date(d).toISOString() : undefined);
const status = (e: unknown) => (e as { code?: number })?.code;

/** True when a managedFields entry owns metadata.annotations[key]. */
export function ownsAnnotation(m: V1ManagedFieldsEntry, key: string): boolean {
  const f = m.fieldsV1 as Record<string, Record<string, Record<string, unknown>>> | undefined;
  return !!f?.["f:metadata"]?.["f:annotations"]?.[`f:${key}`];
}

/** A metav1.LabelSelector as the `labelSelector` query takes it (matchLabels and matchExpressions). */
export function labelSelectorString(sel: V1LabelSelector | undefined): string {
  const parts = Object.entries(sel?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel?.matchExpressions ?? []) {
    const values = (e.values ?? []).join(",");
    if (e.operator === "In") parts.push(`${e.key} in (${values})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${values})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else if (e.operator === "DoesNotExist") parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

/** The Service of the workload-identity mutating webhook, as its configuration names it: the
 *  managed add-on's names need not be the open-source chart's, the webhook's own name is the same. */
export function webhookServiceOf(configs: V1MutatingWebhookConfiguration[]): { found: boolean; service?: { namespace: string; name: string } } {
  for (const c of configs) {
    const wh = (c.webhooks ?? []).find((w) => w.name === WEBHOOK_MUTATION_NAME);
    if (wh)
      return {
        found: true,
        service: wh.clientConfig.service ? { namespace: wh.clientConfig.service.namespace, name: wh.clientConfig.service.name } : undefined,
      };
  }
  return { found: false };
}

export function createVerifyKube(kubeconfigYaml: string, context: string | undefined, opts: KubeConnectOptions & KubeRetryOptions = {}): VerifyKube {
  const conn = connect(kubeconfigYaml, context, opts);
  const core = conn.kc.makeApiClient(CoreV1Api);
  const apps = conn.kc.makeApiClient(AppsV1Api);
  const admission = conn.kc.makeApiClient(AdmissionregistrationV1Api);
  const ro = () => conn.requestOptions();
  const retry = kubeRetry(opts);
  const read = <T>(what: string, fn: () => Promise<T>) => retry(what, fn);
  async function orUndefined<T>(what: string, fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await read(what, fn);
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw e;
    }
  }
  return {
    ops: createKubeOps(kubeconfigYaml, context, opts),
    async webhook() {
      try {
        // Cluster-scoped: a namespace-limited user may not list it; then readiness is the Deployment's.
        let config: ReturnType<typeof webhookServiceOf> | undefined;
        try {
          config = webhookServiceOf(
            (await read("listing mutating webhook configurations", async () => admission.listMutatingWebhookConfiguration({}, await ro()))).items,
          );
        } catch (e) {
          if (status(e) !== 403) throw e;
        }
        const dep = await orUndefined("reading the webhook deployment", async () =>
          apps.readNamespacedDeployment({ namespace: WEBHOOK_NAMESPACE, name: WEBHOOK_DEPLOYMENT }, await ro()),
        );
        const svc = config?.service;
        const ep =
          svc &&
          (await orUndefined("reading the webhook endpoints", async () =>
            core.readNamespacedEndpoints({ namespace: svc.namespace, name: svc.name }, await ro()),
          ));
        const ready = (ep?.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
        const out: WebhookFacts = {
          deploymentFound: !!dep,
          replicas: dep?.spec?.replicas,
          readyReplicas: dep?.status?.readyReplicas ?? 0,
          readyEndpoints: ready,
          installedAt: iso(dep?.metadata?.creationTimestamp),
        };
        if (config) out.configurationFound = config.found;
        if (svc) out.service = `${svc.namespace}/${svc.name}`;
        return out;
      } catch (e) {
        const out: WebhookFacts = { deploymentFound: false, readyEndpoints: 0, error: (e as Error).message.split("\n")[0] };
        if (transientOf(e)) out.transient = true;
        return out;
      }
    },
    async deployment(namespace, name) {
      const d = await orUndefined(`reading deployment ${namespace}/${name}`, async () => apps.readNamespacedDeployment({ namespace, name }, await ro()));
      if (!d) return undefined;
      return {
        name,
        labels: { ...(d.metadata?.labels ?? {}) },
        templateLabels: { ...(d.spec?.template?.metadata?.labels ?? {}) },
        serviceAccountName: d.spec?.template?.spec?.serviceAccountName ?? "default",
        selector: labelSelectorString(d.spec?.selector),
      };
    },
    async podsMatching(namespace, labelSelector, fieldSelector) {
      const list = await read(`listing pods ${labelSelector || fieldSelector} in ${namespace}`, async () =>
        core.listNamespacedPod({ namespace, labelSelector: labelSelector || undefined, fieldSelector }, await ro()),
      );
      return list.items
        .map((p) => ({
          name: p.metadata?.name ?? "",
          phase: p.status?.phase ?? "Unknown",
          creationTimestamp: iso(p.metadata?.creationTimestamp),
          deleting: !!p.metadata?.deletionTimestamp,
        }))
        .sort((a, b) => (b.creationTimestamp ?? "").localeCompare(a.creationTimestamp ?? ""));
    },
    async annotationTime(namespace, name, key) {
      const sa = await orUndefined(`reading service account ${namespace}/${name}`, async () =>
        core.readNamespacedServiceAccount({ namespace, name }, await ro()),
      );
      const times = (sa?.metadata?.managedFields ?? [])
        .filter((m) => ownsAnnotation(m, key))
        .map((m) => iso(m.time))
        .filter((t): t is string => !!t);
      return times.sort().at(-1);
    },
    async objectsAnnotated(namespace, key) {
      const [pods, deps] = await Promise.all([
        read(`listing pods in ${namespace}`, async () => core.listNamespacedPod({ namespace }, await ro())),
        read(`listing deployments in ${namespace}`, async () => apps.listNamespacedDeployment({ namespace }, await ro())),
      ]);
      return [
        ...deps.items
          .filter((d) => d.metadata?.annotations?.[key] !== undefined || d.spec?.template?.metadata?.annotations?.[key] !== undefined)
          .map((d) => ({ kind: "deployment", name: d.metadata?.name ?? "" })),
        ...pods.items.filter((p) => p.metadata?.annotations?.[key] !== undefined).map((p) => ({ kind: "pod", name: p.metadata?.name ?? "" })),
      ];
    },
    exec: podExec(conn, opts.token, opts),
    async requestToken(namespace, name, audience, pod) {
      // TokenRequest is a create, but a repeat only mints another short-lived token: safe to retry.
      const r = await retry(`requesting a token for service account ${namespace}/${name}`, async () =>
        core.createNamespacedServiceAccountToken(
          {
            namespace,
            name,
            body: {
              spec: {
                audiences: [audience],
                // the least the API allows (10 minutes): verify uses it once, at once
                expirationSeconds: 600,
                boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.name, uid: pod.uid },
              },
            },
          },
          await ro(),
        ),
      );
      if (!r.status?.token) throw new Error("the TokenRequest API returned no token");
      return r.status.token;
    },
  };
}
