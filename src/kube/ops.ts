// KubeOps (src/core/ports.ts) over @kubernetes/client-node 1.4: the only Kubernetes calls `init`
// makes. Not-found reads return undefined; other API errors become one-line UserErrors.
import { ApiException, AppsV1Api, BatchV1Api, CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { ChangedSincePlanError, UserError } from "../core/errors.js";
import {
  NAMESPACE_CONTENT_KINDS,
  type KubeOps,
  type PodInfo,
  type PodTemplatePatch,
  type RolloutStatus,
  type ServiceAccountInfo,
  type WorkloadInfo,
  type WorkloadKind,
} from "../core/ports.js";
import { podStatusOf } from "./pod-status.js";
import { rolloutStatus, selectorString } from "./rollout.js";
import { markTransient, transientOf } from "../core/retry.js";
import { sleep } from "../core/util.js";
import { canI } from "./can-i.js";
import type { KubeAdvice } from "../core/kube-advice.js";
import { connect, type KubeConnectOptions } from "./connect.js";
import { KubeTimeoutError, kubeRetry, type KubeRetryOptions } from "./retry.js";

export interface KubeOpsOptions extends KubeConnectOptions, KubeRetryOptions {
  /** Interval of waitForPodRunning's reads (default 1 s). */
  podPollMs?: number;
  /** The cluster's own advice for a 403 (Azure RBAC: a role assignment) and for an API server
   *  that cannot be reached (private, IP-restricted): core/kube-advice.ts. */
  advice?: KubeAdvice;
}

export class KubeError extends UserError {
  constructor(
    message: string,
    public readonly status?: number,
    suggestion?: string,
  ) {
    super(message, suggestion, status === 403 ? "denied" : "failed"); // 403: an RBAC permission the user lacks
    this.name = "KubeError";
  }
}

function status(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : undefined;
}

/** The Status object's message when the API server sent one, else the error's own message. */
function reason(e: unknown): string {
  if (e instanceof ApiException) {
    const body = e.body as unknown;
    try {
      const parsed = typeof body === "string" ? JSON.parse(body) : body;
      if (parsed && typeof parsed === "object" && typeof (parsed as { message?: unknown }).message === "string") return (parsed as { message: string }).message;
    } catch {
      /* not JSON */
    }
    return `HTTP ${e.code}`;
  }
  if (e instanceof KubeTimeoutError) return `no answer from the API server (${e.message})`;
  const err = e as { message?: string; code?: string };
  return err.code ? `${err.code}: ${err.message}` : String(err.message ?? e);
}

export function toKubeError(e: unknown, what: string, advice: KubeAdvice = {}): UserError {
  // Our own errors (KubeError, ChangedSincePlanError) pass as they are.
  if (e instanceof UserError) return e;
  const s = status(e);
  const transient = transientOf(e);
  const suggestion =
    s === 401
      ? "the cluster rejected the credential: check --kubeconfig/--context, or use --admin"
      : s === 403
        ? (advice.denied?.(reason(e)) ?? "the Kubernetes user lacks RBAC permission for this: use --admin or ask for a role binding")
        : e instanceof KubeTimeoutError
          ? (advice.unreachable?.() ??
            "check that this machine reaches the cluster's API server (a private cluster, its authorized IP ranges, HTTPS_PROXY/NO_PROXY); AKS_WI_KUBE_TIMEOUT sets the time limit in seconds")
          : transient
            ? "the API server did not recover within the retries: wait a minute and re-run"
            : s === undefined
              ? (advice.unreachable?.() ?? "the cluster's API server could not be reached: check the network and the kubeconfig")
              : undefined;
  const err = new KubeError(`${what}: ${reason(e)}`, s, suggestion);
  return transient ? markTransient(err, transient) : err;
}

export function toServiceAccount(sa: V1ServiceAccount): ServiceAccountInfo {
  const m = sa.metadata ?? {};
  return {
    namespace: m.namespace ?? "",
    name: m.name ?? "",
    uid: m.uid ?? "",
    annotations: { ...(m.annotations ?? {}) },
    labels: { ...(m.labels ?? {}) },
    creationTimestamp: m.creationTimestamp ? new Date(m.creationTimestamp).toISOString() : undefined,
    resourceVersion: m.resourceVersion,
  };
}

export function toPod(p: V1Pod): PodInfo {
  const m = p.metadata ?? {};
  const env = (list: { name: string; value?: string }[] | undefined) => Object.fromEntries((list ?? []).map((e) => [e.name, e.value ?? ""]));
  return {
    namespace: m.namespace ?? "",
    name: m.name ?? "",
    uid: m.uid ?? "",
    phase: p.status?.phase ?? "Unknown",
    serviceAccountName: p.spec?.serviceAccountName ?? "default",
    labels: { ...(m.labels ?? {}) },
    annotations: { ...(m.annotations ?? {}) },
    creationTimestamp: m.creationTimestamp ? new Date(m.creationTimestamp).toISOString() : undefined,
    ...(m.deletionTimestamp ? { deleting: true } : {}),
    containers: [
      ...(p.spec?.initContainers ?? []).map((c) => ({ name: c.name, init: true, env: env(c.env) })),
      ...(p.spec?.containers ?? []).map((c) => ({ name: c.name, init: false, env: env(c.env) })),
    ],
    volumes: [...(p.spec?.volumes ?? [])],
    ...podStatusOf(p),
  };
}

/** The pod template of a workload as the API returns it: a CronJob's is its job template's. */
const templateOf = (kind: WorkloadKind, w: any) => (kind === "cronjob" ? w.spec?.jobTemplate?.spec?.template : w.spec?.template);

function toWorkload(kind: WorkloadKind, w: any): WorkloadInfo {
  const m = w.metadata ?? {};
  const t = templateOf(kind, w) ?? {};
  return {
    kind,
    namespace: m.namespace ?? "",
    name: m.name ?? "",
    uid: m.uid ?? "",
    serviceAccountName: t.spec?.serviceAccountName || "default",
    templateLabels: { ...(t.metadata?.labels ?? {}) },
    templateAnnotations: { ...(t.metadata?.annotations ?? {}) },
    selector: kind === "cronjob" ? "" : selectorString(w.spec?.selector),
    ...(kind === "deployment" && w.spec?.paused ? { paused: true } : {}),
    ...(kind === "cronjob" && w.spec?.suspend ? { paused: true } : {}),
    ...(kind === "statefulset" || kind === "daemonset" ? { updateStrategy: w.spec?.updateStrategy?.type ?? "RollingUpdate" } : {}),
  };
}

/** The strategic-merge patch of the pod template alone, where the kind keeps it. */
function templatePatchBody(kind: WorkloadKind, p: PodTemplatePatch): Record<string, unknown> {
  const metadata = { ...(p.labels ? { labels: p.labels } : {}), ...(p.annotations ? { annotations: p.annotations } : {}) };
  const template = {
    ...(Object.keys(metadata).length ? { metadata } : {}),
    ...(p.serviceAccountName ? { spec: { serviceAccountName: p.serviceAccountName } } : {}),
  };
  return kind === "cronjob" ? { spec: { jobTemplate: { spec: { template } } } } : { spec: { template } };
}

export function createKubeOps(kubeconfigYaml: string, context?: string, options: KubeOpsOptions = {}): KubeOps {
  const conn = connect(kubeconfigYaml, context, options);
  const api = conn.kc.makeApiClient(CoreV1Api);
  const apps = conn.kc.makeApiClient(AppsV1Api);
  const batch = conn.kc.makeApiClient(BatchV1Api);
  type Req = { name: string; namespace: string };
  type PatchReq = Req & { body: unknown };
  type Opts = Awaited<ReturnType<typeof conn.requestOptions>>;
  // One reader and one patcher per kind; the rest of the code is the same for all four.
  const workloadApi: Record<WorkloadKind, { read(r: Req, o: Opts): Promise<object>; patch(r: PatchReq, o: Opts): Promise<object> }> = {
    deployment: { read: (r, o) => apps.readNamespacedDeployment(r, o), patch: (r, o) => apps.patchNamespacedDeployment(r, o) },
    statefulset: { read: (r, o) => apps.readNamespacedStatefulSet(r, o), patch: (r, o) => apps.patchNamespacedStatefulSet(r, o) },
    daemonset: { read: (r, o) => apps.readNamespacedDaemonSet(r, o), patch: (r, o) => apps.patchNamespacedDaemonSet(r, o) },
    cronjob: { read: (r, o) => batch.readNamespacedCronJob(r, o), patch: (r, o) => batch.patchNamespacedCronJob(r, o) },
  };
  const pollMs = options.podPollMs ?? 1_000;

  const retry = kubeRetry(options);
  type Call<T> = (o: Awaited<ReturnType<typeof conn.requestOptions>>, attempt: number) => Promise<T>;

  // Every call goes through the retry policy (429, 5xx, resets, timeouts; Retry-After honoured).
  // A create that is retried may meet its own earlier attempt as 409 AlreadyExists: `attempt`
  // lets the caller tell that from a conflict that was there before.
  async function call<T>(what: string, fn: Call<T>): Promise<T> {
    try {
      return await retry(what, async (attempt) => fn(await conn.requestOptions(), attempt));
    } catch (e) {
      throw toKubeError(e, what, options.advice);
    }
  }
  async function orUndefined<T>(what: string, fn: Call<T>): Promise<T | undefined> {
    try {
      return await retry(what, async (attempt) => fn(await conn.requestOptions(), attempt));
    } catch (e) {
      if (status(e) === 404) return undefined;
      throw toKubeError(e, what, options.advice);
    }
  }

  const ops: KubeOps = {
    async listNamespaces() {
      return call("listing namespaces", async (o) => (await api.listNamespace({}, o)).items.map((n) => n.metadata?.name ?? ""));
    },
    async namespaceExists(name) {
      return !!(await orUndefined(`reading namespace ${name}`, (o) => api.readNamespace({ name }, o)));
    },
    async createNamespace(name, labels) {
      // 409: created meanwhile, or by an earlier attempt whose answer was lost: either way, done.
      await orUndefined(`creating namespace ${name}`, async (o) => {
        try {
          return await api.createNamespace({ body: { metadata: { name, labels } } }, o);
        } catch (e) {
          if (status(e) === 409) return undefined;
          throw e;
        }
      });
    },
    async listServiceAccounts(namespace) {
      return call(`listing service accounts in ${namespace}`, async (o) =>
        (await api.listNamespacedServiceAccount({ namespace }, o)).items.map(toServiceAccount),
      );
    },
    async getServiceAccount(namespace, name) {
      const sa = await orUndefined(`reading service account ${namespace}/${name}`, (o) => api.readNamespacedServiceAccount({ name, namespace }, o));
      return sa && toServiceAccount(sa);
    },
    async createServiceAccount(namespace, name, annotations, labels) {
      return call(`creating service account ${namespace}/${name}`, async (o, attempt) => {
        try {
          return toServiceAccount(await api.createNamespacedServiceAccount({ namespace, body: { metadata: { name, namespace, annotations, labels } } }, o));
        } catch (e) {
          if (status(e) !== 409) throw e;
          // A retry may meet its own earlier attempt (its answer lost): ours if it carries exactly
          // our annotations. Otherwise the plan saw none, and one made since is not ours to overwrite.
          if (attempt > 1) {
            const existing = toServiceAccount(await api.readNamespacedServiceAccount({ name, namespace }, o));
            if (Object.entries(annotations).every(([k, v]) => existing.annotations[k] === v)) return existing;
          }
          throw new ChangedSincePlanError(`service account ${namespace}/${name}`);
        }
      });
    },
    async mergeAnnotations(namespace, name, annotations, resourceVersion) {
      // A merge patch that carries metadata.resourceVersion is refused with 409 Conflict when the
      // object has changed since that version (Kubernetes API concepts: "Patch" and optimistic
      // concurrency), so what the plan read is what gets patched.
      const metadata: Record<string, unknown> = { annotations };
      if (resourceVersion) metadata.resourceVersion = resourceVersion;
      const applied = (sa: ServiceAccountInfo) =>
        Object.entries(annotations).every(([k, v]) => (v === null ? !(k in sa.annotations) : sa.annotations[k] === v));
      return call(`annotating service account ${namespace}/${name}`, async (o, attempt) => {
        try {
          return toServiceAccount(
            await api.patchNamespacedServiceAccount({ name, namespace, body: { metadata } }, setHeaderOptions("Content-Type", PatchStrategy.MergePatch, o)),
          );
        } catch (e) {
          if (status(e) !== 409 || !resourceVersion) throw e;
          // Our own earlier attempt (its answer lost) moved the version on: then the patch is in.
          if (attempt > 1) {
            const now = toServiceAccount(await api.readNamespacedServiceAccount({ name, namespace }, o));
            if (applied(now)) return now;
          }
          throw new ChangedSincePlanError(`service account ${namespace}/${name}`);
        }
      });
    },
    async canI(q) {
      return call(`asking whether you may ${q.verb} ${q.resource}`, () => canI(conn, q));
    },
    deniedAdvice: (q) => options.advice?.deniedNeed?.(q),
    async getPod(namespace, name) {
      const p = await orUndefined(`reading pod ${namespace}/${name}`, (o) => api.readNamespacedPod({ name, namespace }, o));
      return p && toPod(p);
    },
    async createPod(manifest) {
      const body = manifest as V1Pod;
      const namespace = body.metadata?.namespace ?? "default";
      const name = body.metadata?.name ?? "";
      return call(`creating pod ${namespace}/${name}`, async (o, attempt) => {
        try {
          return toPod(await api.createNamespacedPod({ namespace, body }, o));
        } catch (e) {
          // A retry that meets a pod of this name carrying our labels meets the earlier attempt's
          // pod (its answer was lost); a 409 on the first attempt is someone else's pod.
          if (attempt === 1 || status(e) !== 409) throw e;
          const existing = await api.readNamespacedPod({ namespace, name }, o);
          const labels = existing.metadata?.labels ?? {};
          if (!Object.entries(body.metadata?.labels ?? {}).every(([k, v]) => labels[k] === v)) throw e;
          return toPod(existing);
        }
      });
    },
    async deletePod(namespace, name) {
      const deleted = await orUndefined(`deleting pod ${namespace}/${name}`, (o) => api.deleteNamespacedPod({ name, namespace }, o));
      if (!deleted) return;
      // A new pod of the same name can only be created once the old one is gone.
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (!(await ops.getPod(namespace, name))) return;
        await sleep(pollMs);
      }
      throw new KubeError(`pod ${namespace}/${name} is still terminating after 60 s`, undefined, `check it with: kubectl -n ${namespace} get pod ${name}`);
    },
    async waitForPodRunning(namespace, name, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: PodInfo | undefined;
      // Quick reads first (a pod on a warm node starts in about a second), then less often.
      let delay = Math.min(100, pollMs);
      for (;;) {
        last = await ops.getPod(namespace, name);
        if (last && (last.phase === "Running" || last.phase === "Failed" || last.phase === "Succeeded")) return last;
        if (Date.now() + delay > deadline) return last;
        await sleep(delay);
        delay = Math.min(Math.round(delay * 1.5), pollMs);
      }
    },
    async getNamespace(name) {
      const ns = await orUndefined(`reading namespace ${name}`, (o) => api.readNamespace({ name }, o));
      return ns && { name: ns.metadata?.name ?? name, labels: { ...(ns.metadata?.labels ?? {}) } };
    },
    async listPods(namespace, labelSelector) {
      const what = `listing pods in ${namespace}${labelSelector ? ` (${labelSelector})` : ""}`;
      return call(what, async (o) => (await api.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) }, o)).items.map(toPod));
    },
    async listNamespaceObjects(namespace) {
      type Lister = (o: Awaited<ReturnType<typeof conn.requestOptions>>) => Promise<{ items: { metadata?: { name?: string } }[] }>;
      const listers: Record<(typeof NAMESPACE_CONTENT_KINDS)[number], Lister> = {
        pods: (o) => api.listNamespacedPod({ namespace }, o),
        serviceaccounts: (o) => api.listNamespacedServiceAccount({ namespace }, o),
        services: (o) => api.listNamespacedService({ namespace }, o),
        configmaps: (o) => api.listNamespacedConfigMap({ namespace }, o),
        secrets: (o) => api.listNamespacedSecret({ namespace }, o),
        persistentvolumeclaims: (o) => api.listNamespacedPersistentVolumeClaim({ namespace }, o),
        deployments: (o) => apps.listNamespacedDeployment({ namespace }, o),
        statefulsets: (o) => apps.listNamespacedStatefulSet({ namespace }, o),
        daemonsets: (o) => apps.listNamespacedDaemonSet({ namespace }, o),
        replicasets: (o) => apps.listNamespacedReplicaSet({ namespace }, o),
        jobs: (o) => batch.listNamespacedJob({ namespace }, o),
        cronjobs: (o) => batch.listNamespacedCronJob({ namespace }, o),
      };
      const lists = await Promise.all(
        NAMESPACE_CONTENT_KINDS.map(async (kind) => {
          try {
            // 404: a kind this API server does not serve holds nothing.
            const list = await orUndefined(`listing ${kind} in ${namespace}`, listers[kind]);
            return (list?.items ?? []).map((i) => `${kind}/${i.metadata?.name ?? ""}`);
          } catch (e) {
            // Not allowed to look: the namespace cannot be shown empty, which keeps it.
            if (e instanceof KubeError && e.status === 403) return [`${kind}/* (not allowed to list)`];
            throw e;
          }
        }),
      );
      return lists.flat();
    },
    async deleteServiceAccount(namespace, name) {
      await orUndefined(`deleting service account ${namespace}/${name}`, (o) => api.deleteNamespacedServiceAccount({ name, namespace }, o));
    },
    async deleteNamespace(name) {
      // 409: already terminating (deleted by an earlier attempt whose answer was lost, or by someone else).
      await orUndefined(`deleting namespace ${name}`, async (o) => {
        try {
          return await api.deleteNamespace({ name }, o);
        } catch (e) {
          if (status(e) === 409) return undefined;
          throw e;
        }
      });
    },
    async getWorkload(namespace, kind, name) {
      const w = await orUndefined(`reading ${kind} ${namespace}/${name}`, (o) => workloadApi[kind].read({ name, namespace }, o));
      return w ? toWorkload(kind, w) : undefined;
    },
    async patchWorkloadTemplate(namespace, kind, name, patch) {
      // Strategic merge, as `kubectl rollout restart` and `kubectl patch` send it: labels,
      // annotations and the service account merge into the template, every other field stays.
      const body = templatePatchBody(kind, patch);
      return call(`patching the pod template of ${kind} ${namespace}/${name}`, async (o) =>
        toWorkload(kind, await workloadApi[kind].patch({ name, namespace, body }, setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch, o))),
      );
    },
    async waitForRollout(namespace, kind, name, timeoutMs, onProgress) {
      const deadline = Date.now() + timeoutMs;
      let last: RolloutStatus = { done: false, message: `waiting for ${kind} ${namespace}/${name}` };
      let delay = Math.min(100, pollMs);
      for (;;) {
        const w = await orUndefined(`reading ${kind} ${namespace}/${name}`, (o) => workloadApi[kind].read({ name, namespace }, o));
        if (!w) return { done: false, failed: true, message: `${kind} ${namespace}/${name} was deleted during the rollout` };
        const now = rolloutStatus(kind, w);
        if (now.message !== last.message) onProgress?.(now.message);
        last = now;
        if (now.done || now.failed || Date.now() + delay > deadline) return now;
        await sleep(delay);
        delay = Math.min(Math.round(delay * 1.5), pollMs);
      }
    },
  };
  return ops;
}
