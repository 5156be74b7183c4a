// What `kubectl rollout status` decides, per kind, from a workload as the API returns it
// (kubectl/pkg/polymorphichelpers/rollout_status.go): the same conditions in the same order and
// the same messages, so aks-wi's progress line reads as kubectl's would. Also the label selector
// string of a workload's spec.selector (metav1.LabelSelectorAsSelector), to list its pods.
import type { RolloutStatus, WorkloadKind } from "../core/ports.js";

type Obj = any;

export function deploymentStatus(d: Obj): RolloutStatus {
  const name = d.metadata?.name;
  const s = d.status ?? {};
  const want: number | undefined = d.spec?.replicas;
  if ((d.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: "Waiting for deployment spec update to be observed..." };
  const progressing = (s.conditions ?? []).find((c: Obj) => c.type === "Progressing");
  if (progressing?.reason === "ProgressDeadlineExceeded") return { done: false, failed: true, message: `deployment "${name}" exceeded its progress deadline` };
  const updated = s.updatedReplicas ?? 0;
  if (want !== undefined && updated < want)
    return { done: false, message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${want} new replicas have been updated...` };
  if ((s.replicas ?? 0) > updated)
    return {
      done: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${(s.replicas ?? 0) - updated} old replicas are pending termination...`,
    };
  if ((s.availableReplicas ?? 0) < updated)
    return {
      done: false,
      message: `Waiting for deployment "${name}" rollout to finish: ${s.availableReplicas ?? 0} of ${updated} updated replicas are available...`,
    };
  return { done: true, message: `deployment "${name}" successfully rolled out` };
}

export function daemonSetStatus(ds: Obj): RolloutStatus {
  const name = ds.metadata?.name;
  const s = ds.status ?? {};
  if ((ds.spec?.updateStrategy?.type ?? "RollingUpdate") !== "RollingUpdate")
    return { done: false, failed: true, message: "rollout status is only available for RollingUpdate strategy type" };
  if ((ds.metadata?.generation ?? 0) > (s.observedGeneration ?? 0)) return { done: false, message: "Waiting for daemon set spec update to be observed..." };
  const desired = s.desiredNumberScheduled ?? 0;
  if ((s.updatedNumberScheduled ?? 0) < desired)
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${s.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`,
    };
  if ((s.numberAvailable ?? 0) < desired)
    return {
      done: false,
      message: `Waiting for daemon set "${name}" rollout to finish: ${s.numberAvailable ?? 0} of ${desired} updated pods are available...`,
    };
  return { done: true, message: `daemon set "${name}" successfully rolled out` };
}

export function statefulSetStatus(sts: Obj): RolloutStatus {
  const s = sts.status ?? {};
  const strategy = sts.spec?.updateStrategy ?? {};
  if ((strategy.type ?? "RollingUpdate") !== "RollingUpdate")
    return { done: false, failed: true, message: "rollout status is only available for RollingUpdate strategy type" };
  if (!s.observedGeneration || (sts.metadata?.generation ?? 0) > s.observedGeneration)
    return { done: false, message: "Waiting for statefulset spec update to be observed..." };
  const want: number | undefined = sts.spec?.replicas;
  if (want !== undefined && (s.readyReplicas ?? 0) < want) return { done: false, message: `Waiting for ${want - (s.readyReplicas ?? 0)} pods to be ready...` };
  if (strategy.rollingUpdate) {
    const partition: number | undefined = strategy.rollingUpdate.partition;
    if (want !== undefined && partition !== undefined && (s.updatedReplicas ?? 0) < want - partition)
      return {
        done: false,
        message: `Waiting for partitioned roll out to finish: ${s.updatedReplicas ?? 0} out of ${want - partition} new pods have been updated...`,
      };
    return { done: true, message: `partitioned roll out complete: ${s.updatedReplicas ?? 0} new pods have been updated...` };
  }
  if (s.updateRevision !== s.currentRevision)
    return { done: false, message: `waiting for statefulset rolling update to complete ${s.updatedReplicas ?? 0} pods at revision ${s.updateRevision}...` };
  return { done: true, message: `statefulset rolling update complete ${s.currentReplicas ?? 0} pods at revision ${s.currentRevision}...` };
}

/** The rollout status of a workload of `kind`; a CronJob has no rollout (its next Job uses the new template). */
export function rolloutStatus(kind: WorkloadKind, obj: Obj): RolloutStatus {
  if (kind === "deployment") return deploymentStatus(obj);
  if (kind === "daemonset") return daemonSetStatus(obj);
  if (kind === "statefulset") return statefulSetStatus(obj);
  return { done: true, message: `cronjob "${obj.metadata?.name}" has no rollout: its next job uses the new template` };
}

/** metav1.LabelSelectorAsSelector(...).String(): matchLabels as k=v, then the expressions, sorted by key. */
export function selectorString(sel: Obj): string {
  const parts: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(sel?.matchLabels ?? {})) parts.push({ key: k, text: `${k}=${v}` });
  for (const e of sel?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(",");
    const text =
      e.operator === "In"
        ? `${e.key} in (${values})`
        : e.operator === "NotIn"
          ? `${e.key} notin (${values})`
          : e.operator === "Exists"
            ? e.key
            : e.operator === "DoesNotExist"
              ? `!${e.key}`
              : undefined;
    if (text) parts.push({ key: e.key, text });
  }
  return parts
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((p) => p.text)
    .join(",");
}
