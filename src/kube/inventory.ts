// doctor's Kubernetes side: every service account, pod and Deployment, each kind listed once
// (cluster-wide, or in one namespace), paged, as plain records; and the webhook as verify sees it.
import { AppsV1Api, CoreV1Api, type V1Deployment, type V1Pod, type V1ServiceAccount } from "@kubernetes/client-node";
import { DeniedError } from "../core/errors.js";
import { CLIENT_ID_ANNOTATION } from "../core/workload-identity.js";
import type { DoctorKube, InventoryDeployment, InventoryPod, InventoryServiceAccount } from "../doctor/ports.js";
import { connect, type KubeConnectOptions } from "./connect.js";
import { createVerifyKube, ownsAnnotation } from "./inspect.js";
import { KubeError, toKubeError, toPod, toServiceAccount } from "./ops.js";
import { kubeRetry, type KubeRetryOptions } from "./retry.js";

/** Items per page: a few hundred objects cost a request or two. */
const PAGE = 500;
const iso = (d: Date | string | undefined) => (d ? new Date(d).toISOString() : undefined);

export function toInventoryServiceAccount(sa: V1ServiceAccount): InventoryServiceAccount {
  const times = (sa.metadata?.managedFields ?? [])
    .filter((m) => ownsAnnotation(m, CLIENT_ID_ANNOTATION))
    .map((m) => iso(m.time))
    .filter((t): t is string => !!t)
    .sort();
  const out: InventoryServiceAccount = toServiceAccount(sa);
  if (times.length) out.annotatedAt = times.at(-1);
  return out;
}

export function toInventoryPod(p: V1Pod): InventoryPod {
  const ref = (p.metadata?.ownerReferences ?? []).find((r) => r.controller);
  return { ...toPod(p), ...(ref ? { owner: { kind: ref.kind, name: ref.name } } : {}), deleting: !!p.metadata?.deletionTimestamp };
}

export function toInventoryDeployment(d: V1Deployment): InventoryDeployment {
  return {
    namespace: d.metadata?.namespace ?? "",
    name: d.metadata?.name ?? "",
    labels: { ...(d.metadata?.labels ?? {}) },
    annotations: { ...(d.metadata?.annotations ?? {}) },
    templateLabels: { ...(d.spec?.template?.metadata?.labels ?? {}) },
    templateAnnotations: { ...(d.spec?.template?.metadata?.annotations ?? {}) },
    serviceAccountName: d.spec?.template?.spec?.serviceAccountName || "default",
  };
}

export function createDoctorKube(kubeconfigYaml: string, context: string | undefined, opts: KubeConnectOptions & KubeRetryOptions = {}): DoctorKube {
  const conn = connect(kubeconfigYaml, context, opts);
  const core = conn.kc.makeApiClient(CoreV1Api);
  const apps = conn.kc.makeApiClient(AppsV1Api);
  const retry = kubeRetry(opts);
  const verifyKube = createVerifyKube(kubeconfigYaml, context, opts);

  /** Every page of a list; `_continue` carries on where the last page stopped. */
  async function all<T>(
    what: string,
    clusterWide: boolean,
    page: (q: { limit: number; _continue?: string }) => Promise<{ items: T[]; metadata?: { _continue?: string } }>,
  ): Promise<T[]> {
    const out: T[] = [];
    let next: string | undefined;
    try {
      do {
        const r = await retry(what, () => page({ limit: PAGE, ...(next ? { _continue: next } : {}) }));
        out.push(...r.items);
        next = r.metadata?._continue || undefined;
      } while (next);
    } catch (e) {
      const err = toKubeError(e, what);
      // A user bound to namespaces may still look at each of them.
      if (clusterWide && err instanceof KubeError && err.status === 403)
        throw new DeniedError(err.message, "you may not list it in every namespace: pass --namespace NS, or use --admin");
      throw err;
    }
    return out;
  }
  const where = (ns?: string) => (ns ? `in namespace ${ns}` : "in all namespaces");

  return {
    webhook: () => verifyKube.webhook(),
    async inventory(namespace) {
      const [sas, pods, deps] = await Promise.all([
        all(`listing service accounts ${where(namespace)}`, !namespace, async (q) =>
          namespace
            ? core.listNamespacedServiceAccount({ namespace, ...q }, await conn.requestOptions())
            : core.listServiceAccountForAllNamespaces(q, await conn.requestOptions()),
        ),
        all(`listing pods ${where(namespace)}`, !namespace, async (q) =>
          namespace ? core.listNamespacedPod({ namespace, ...q }, await conn.requestOptions()) : core.listPodForAllNamespaces(q, await conn.requestOptions()),
        ),
        all(`listing deployments ${where(namespace)}`, !namespace, async (q) =>
          namespace
            ? apps.listNamespacedDeployment({ namespace, ...q }, await conn.requestOptions())
            : apps.listDeploymentForAllNamespaces(q, await conn.requestOptions()),
        ),
      ]);
      return { serviceAccounts: sas.map(toInventoryServiceAccount), pods: pods.map(toInventoryPod), deployments: deps.map(toInventoryDeployment) };
    },
  };
}
