// The ReplicaSet controller (kubernetes/pkg/controller/replicaset): keeps as many pods as
// spec.replicas asks, creating them from the template through pod admission — so the
// ServiceAccount plugin and the workload-identity webhook see them as they see any pod — and
// deleting the least ready, newest ones first; then writes the status the deployment controller
// and kubectl read. A refused create is a FailedCreate event and a ReplicaFailure condition,
// retried with a doubling back-off as the controller's rate limiter does.
import type { KubeEnv } from "../kinds/index.js";
import { isoNow, type KubeObject, type StoredObject } from "../store.js";
import { ownedBy } from "./owners.js";
import { createControlledPod } from "./pod-factory.js";

const COMPONENT = "replicaset-controller";
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Ready: Running with its Ready condition true, and not being deleted. */
export function podReady(pod: KubeObject): boolean {
  return (
    !pod.metadata.deletionTimestamp &&
    pod.status?.phase === "Running" &&
    (pod.status?.conditions ?? []).some((c: any) => c.type === "Ready" && c.status === "True")
  );
}

/** Available: ready for at least minReadySeconds. */
export function podAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  if (!podReady(pod)) return false;
  if (!minReadySeconds) return true;
  const since = Date.parse((pod.status.conditions as any[]).find((c) => c.type === "Ready")?.lastTransitionTime ?? "");
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function podsOf(env: KubeEnv, rs: StoredObject): StoredObject[] {
  return env.store
    .list("pods", rs.metadata.namespace)
    .filter(ownedBy(rs))
    .filter((p) => !p.metadata.deletionTimestamp);
}

/** A pod from the ReplicaSet's template, through validation and admission; the API's refusal otherwise. */
const createPod = (env: KubeEnv, rs: StoredObject) => createControlledPod(env, rs, rs.spec.template, { generateName: `${rs.metadata.name}-` });

/** Deletion order of ReplicaSet pods (controller.ActivePods' less): not ready first, then newest. */
function deletionOrder(a: StoredObject, b: StoredObject): number {
  const ra = podReady(a) ? 1 : 0,
    rb = podReady(b) ? 1 : 0;
  if (ra !== rb) return ra - rb;
  return Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp);
}

/** One sync of one ReplicaSet: pods to the wanted count, then its status. True when anything changed. */
export function syncReplicaSet(env: KubeEnv, rs: StoredObject): boolean {
  const { ctx, store } = env;
  const now = ctx.now();
  const want = Number(rs.spec?.replicas ?? 1);
  let pods = podsOf(env, rs);
  let changed = false;
  let failure: string | undefined;
  const backoff = store.controllerMemo<{ retryAt: number; delayMs: number }>(`rs-retry/${rs.metadata.uid}`);

  if (pods.length < want && (!backoff.value || now >= backoff.value.retryAt)) {
    for (let i = pods.length; i < want; i++) {
      const r = createPod(env, rs);
      if (!r.ok) {
        failure = r.message;
        break;
      }
      store.recordEvent(rs, { reason: "SuccessfulCreate", component: COMPONENT, message: `Created pod: ${r.pod.metadata.name}` }, now);
      pods.push(r.pod);
      changed = true;
    }
    if (failure) {
      const delayMs = backoff.value ? Math.min(backoff.value.delayMs * 2, RETRY_MAX_MS) : RETRY_FIRST_MS;
      backoff.set({ retryAt: now + delayMs, delayMs });
      store.recordRepeatedEvent(rs, { reason: "FailedCreate", type: "Warning", component: COMPONENT, message: `Error creating: ${failure}` }, now);
      changed = true;
    } else if (backoff.value) backoff.set(undefined);
  } else if (pods.length > want) {
    for (const p of [...pods].sort(deletionOrder).slice(0, pods.length - want)) {
      store.remove("pods", p.metadata.namespace, p.metadata.name);
      store.recordEvent(rs, { reason: "SuccessfulDelete", component: COMPONENT, message: `Deleted pod: ${p.metadata.name}` }, now);
    }
    pods = podsOf(env, rs);
    changed = true;
  }
  const stillFailing =
    failure ?? (pods.length < want && backoff.value ? (rs.status?.conditions ?? []).find((c: any) => c.type === "ReplicaFailure")?.message : undefined);
  return writeStatus(env, rs, pods, stillFailing) || changed;
}

/** ReplicaSetStatus as the controller writes it: zero counts left out, as Go's omitempty does
 *  (replicas always there), and ReplicaFailure only while creates fail. */
function writeStatus(env: KubeEnv, rs: StoredObject, pods: StoredObject[], failure: string | undefined): boolean {
  const now = env.ctx.now();
  const minReady = Number(rs.spec?.minReadySeconds ?? 0);
  const ready = pods.filter(podReady).length;
  const available = pods.filter((p) => podAvailable(p, minReady, now)).length;
  const old = (rs.status?.conditions ?? []).find((c: any) => c.type === "ReplicaFailure");
  const conditions = failure
    ? [{ type: "ReplicaFailure", status: "True", lastTransitionTime: old?.lastTransitionTime ?? isoNow(now), reason: "FailedCreate", message: failure }]
    : [];
  const status: Record<string, unknown> = {
    replicas: pods.length,
    ...(pods.length ? { fullyLabeledReplicas: pods.length } : {}),
    ...(ready ? { readyReplicas: ready } : {}),
    ...(available ? { availableReplicas: available } : {}),
    observedGeneration: rs.metadata.generation ?? 1,
    ...(conditions.length ? { conditions } : {}),
  };
  return env.store.updateStatus("replicasets", rs, status);
}
