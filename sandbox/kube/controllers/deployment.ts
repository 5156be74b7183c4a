// The deployment controller (kubernetes/pkg/controller/deployment): one ReplicaSet per pod
// template, named `<deployment>-<pod-template-hash>` and carrying that label; a template change
// (an image, or the restartedAt annotation `kubectl rollout restart` sets) makes a new one, which
// the rolling update scales up within maxSurge while the old ones scale down within
// maxUnavailable (Recreate: old ones to zero first); revisions in the
// deployment.kubernetes.io/revision annotation; and the status kubectl rollout status waits on
// (observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas, the Available
// and Progressing conditions), computed as sync.go and progress.go compute it.
import { findResource } from "../discovery.js";
import type { KubeEnv } from "../kinds/index.js";
import { isoNow, type KubeObject, type StoredObject } from "../store.js";
import { controllerRef, ownedBy } from "./owners.js";
import { podTemplateHash } from "./template-hash.js";

const RS_DEF = findResource("apps", "v1", "replicasets")!;
const MANAGER = "kube-controller-manager";
const COMPONENT = "deployment-controller";
export const HASH_LABEL = "pod-template-hash";
const REVISION = "deployment.kubernetes.io/revision";
const DESIRED = "deployment.kubernetes.io/desired-replicas";
const MAX = "deployment.kubernetes.io/max-replicas";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));
const replicasOf = (o: KubeObject) => Number(o.spec?.replicas ?? 1);
const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);
const byAge = (a: StoredObject, b: StoredObject) =>
  Date.parse(a.metadata.creationTimestamp) - Date.parse(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name);

/** intstr.GetScaledValueFromIntOrPercent: "25%" of the replicas, rounded up or down. */
function scaled(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v ?? ""));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

/** deploymentutil.ResolveFenceposts: maxSurge rounds up, maxUnavailable down, never both zero. */
function fenceposts(d: KubeObject): { surge: number; unavailable: number } {
  if (d.spec?.strategy?.type === "Recreate") return { surge: 0, unavailable: 0 };
  const ru = d.spec?.strategy?.rollingUpdate ?? {};
  const want = replicasOf(d);
  const surge = scaled(ru.maxSurge ?? "25%", want, true);
  const unavailable = scaled(ru.maxUnavailable ?? "25%", want, false);
  return surge === 0 && unavailable === 0 ? { surge, unavailable: 1 } : { surge, unavailable: Math.min(unavailable, want) };
}

/** The template without the hash label, as EqualIgnoreHash compares them. */
function withoutHash(template: any): any {
  const t = clone(template ?? {});
  if (t.metadata?.labels) delete t.metadata.labels[HASH_LABEL];
  return t;
}

const sameTemplate = (a: any, b: any) => JSON.stringify(withoutHash(a)) === JSON.stringify(withoutHash(b));

export function replicaSetsOf(env: KubeEnv, d: StoredObject): StoredObject[] {
  return env.store.list("replicasets", d.metadata.namespace).filter(ownedBy(d)).sort(byAge);
}

/** The ReplicaSet whose template is the deployment's (the oldest, if several). */
export function newReplicaSetOf(d: KubeObject, rss: StoredObject[]): StoredObject | undefined {
  return rss.find((rs) => sameTemplate(rs.spec?.template, d.spec?.template));
}

function scaleEvent(env: KubeEnv, d: StoredObject, rs: StoredObject, from: number, to: number) {
  const op = to > from ? "up" : "down";
  env.store.recordEvent(
    d,
    { reason: "ScalingReplicaSet", component: COMPONENT, message: `Scaled ${op} replica set ${rs.metadata.name} to ${to}${from ? ` from ${from}` : ""}` },
    env.ctx.now(),
  );
}

/** Sets a ReplicaSet's replicas (and the annotations recording the deployment's size). */
function scaleReplicaSet(env: KubeEnv, d: StoredObject, rs: StoredObject, to: number): boolean {
  const from = replicasOf(rs);
  const next = clone(rs);
  next.spec.replicas = to;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESIRED]: String(replicasOf(d)), [MAX]: String(replicasOf(d) + fenceposts(d).surge) };
  const changed = env.store.writeByController("replicasets", rs, next);
  if (from !== to) scaleEvent(env, d, rs, from, to);
  return changed;
}

/** getNewReplicaSet's create: `<name>-<hash>` with the hash in its labels, selector and template. */
function createReplicaSet(env: KubeEnv, d: StoredObject, replicas: number, revision: number): StoredObject | undefined {
  const collisionCount = d.status?.collisionCount;
  const hash = podTemplateHash(d.spec.template, collisionCount);
  const name = `${d.metadata.name}-${hash}`;
  if (env.store.get("replicasets", d.metadata.namespace, name)) {
    // a name taken by another template: count the collision, so the next hash differs
    env.store.updateStatus("deployments", d, { ...(d.status ?? {}), collisionCount: (collisionCount ?? 0) + 1 });
    return undefined;
  }
  const template = clone(d.spec.template);
  template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
  const rs: KubeObject = {
    metadata: {
      name,
      namespace: d.metadata.namespace,
      labels: { ...(d.spec.template.metadata?.labels ?? {}), [HASH_LABEL]: hash },
      annotations: { [DESIRED]: String(replicasOf(d)), [MAX]: String(replicasOf(d) + fenceposts(d).surge), [REVISION]: String(revision) },
      ownerReferences: [controllerRef(d)],
    },
    spec: {
      replicas,
      ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
      selector: { ...clone(d.spec.selector), matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), [HASH_LABEL]: hash } },
      template,
    },
  };
  const created = env.store.create(RS_DEF, rs, MANAGER);
  if (replicas > 0)
    env.store.recordEvent(d, { reason: "ScalingReplicaSet", component: COMPONENT, message: `Scaled up replica set ${name} to ${replicas}` }, env.ctx.now());
  const status = clone(d.status ?? {});
  setCondition(status, condition("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${name}"`, env.ctx.now()));
  env.store.updateStatus("deployments", d, status);
  return created;
}

/** One sync of one deployment's ReplicaSets (not its status: see syncDeploymentStatus). */
export function syncDeployment(env: KubeEnv, d: StoredObject): boolean {
  if (d.metadata.deletionTimestamp || d.spec?.paused) return false;
  const { store } = env;
  const want = replicasOf(d);
  const rss = replicaSetsOf(env, d);
  let newRS = newReplicaSetOf(d, rss);
  const olds = rss.filter((rs) => rs !== newRS);
  const maxOldRevision = Math.max(0, ...olds.map(revisionOf));
  const recreate = d.spec?.strategy?.type === "Recreate";
  let changed = false;

  if (recreate) {
    // Recreate: every old pod gone before the new template gets any
    for (const rs of olds) if (replicasOf(rs) > 0) changed = scaleReplicaSet(env, d, rs, 0) || changed;
    if (olds.some((rs) => (rs.status?.replicas ?? 0) > 0)) return changed;
  }

  const { surge, unavailable } = fenceposts(d);
  const total = () => replicaSetsOf(env, d).reduce((n, rs) => n + replicasOf(rs), 0);
  if (!newRS) {
    const initial = recreate ? want : Math.max(0, Math.min(want + surge - total(), want));
    const created = createReplicaSet(env, d, initial, maxOldRevision + 1);
    if (!created) return true;
    newRS = created;
    changed = true;
  } else {
    // a template seen before (a rollback) becomes the newest revision again
    if (revisionOf(newRS) <= maxOldRevision) {
      const next = clone(newRS);
      next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: String(maxOldRevision + 1) };
      changed = store.writeByController("replicasets", newRS, next) || changed;
      newRS = store.get("replicasets", newRS.metadata.namespace, newRS.metadata.name)!;
    }
    // reconcileNewReplicaSet
    const have = replicasOf(newRS);
    if (recreate && have !== want) changed = scaleReplicaSet(env, d, newRS, want) || changed;
    else if (have > want) changed = scaleReplicaSet(env, d, newRS, want) || changed;
    else if (have < want) {
      const up = Math.min(want + surge - total(), want - have);
      if (up > 0) changed = scaleReplicaSet(env, d, newRS, have + up) || changed;
    }
  }

  if (!recreate) changed = scaleDownOld(env, d, store.get("replicasets", newRS.metadata.namespace, newRS.metadata.name)!, unavailable) || changed;

  // the revision of the deployment is its new ReplicaSet's
  const current = store.get("deployments", d.metadata.namespace, d.metadata.name)!;
  const revision = store.get("replicasets", newRS.metadata.namespace, newRS.metadata.name)?.metadata.annotations?.[REVISION];
  if (revision && current.metadata.annotations?.[REVISION] !== revision) {
    const next = clone(current);
    next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [REVISION]: revision };
    changed = store.writeByController("deployments", current, next) || changed;
  }
  return cleanupHistory(env, d) || changed;
}

/** reconcileOldReplicaSets: scale old ReplicaSets down as far as maxUnavailable allows, the
 *  unhealthy ones first, then the oldest. */
function scaleDownOld(env: KubeEnv, d: StoredObject, newRS: StoredObject, maxUnavailable: number): boolean {
  const all = replicaSetsOf(env, d);
  const olds = all.filter((rs) => rs.metadata.uid !== newRS.metadata.uid && replicasOf(rs) > 0);
  if (!olds.length) return false;
  const minAvailable = replicasOf(d) - maxUnavailable;
  const allPods = all.reduce((n, rs) => n + replicasOf(rs), 0);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  let room = allPods - minAvailable - newUnavailable;
  if (room <= 0) return false;
  let changed = false;
  // cleanupUnhealthyReplicas: replicas that are not available cost no availability to remove
  for (const rs of olds) {
    if (room <= 0) break;
    const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
    if (unhealthy <= 0) continue;
    const down = Math.min(room, unhealthy);
    changed = scaleReplicaSet(env, d, rs, replicasOf(rs) - down) || changed;
    room -= down;
  }
  // scaleDownOldReplicaSetsForRollingUpdate: then as many available ones as keep minAvailable
  const fresh = replicaSetsOf(env, d);
  const available = fresh.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
  let budget = available - minAvailable;
  for (const rs of fresh.filter((r) => r.metadata.uid !== newRS.metadata.uid && replicasOf(r) > 0)) {
    if (budget <= 0) break;
    const down = Math.min(replicasOf(rs), budget);
    changed = scaleReplicaSet(env, d, rs, replicasOf(rs) - down) || changed;
    budget -= down;
  }
  return changed;
}

/** Old ReplicaSets at zero beyond revisionHistoryLimit are deleted, oldest first. */
function cleanupHistory(env: KubeEnv, d: StoredObject): boolean {
  const limit = Number(d.spec?.revisionHistoryLimit ?? 10);
  const rss = replicaSetsOf(env, d);
  const newRS = newReplicaSetOf(d, rss);
  const idle = rss.filter((rs) => rs !== newRS && replicasOf(rs) === 0 && (rs.status?.replicas ?? 0) === 0);
  const extra = idle.slice(0, Math.max(0, idle.length - limit));
  for (const rs of extra) env.store.remove("replicasets", rs.metadata.namespace, rs.metadata.name);
  return extra.length > 0;
}

interface Condition {
  type: string;
  status: string;
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

function condition(type: string, status: string, reason: string, message: string, now: number): Condition {
  const t = isoNow(now);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

/** deploymentutil.SetDeploymentCondition: same status and reason → unchanged; same status → the
 *  transition time kept; the condition moves to the end. */
function setCondition(status: any, c: Condition): void {
  const conds: Condition[] = status.conditions ?? [];
  const cur = conds.find((x) => x.type === c.type);
  if (cur && cur.status === c.status && cur.reason === c.reason) return;
  if (cur && cur.status === c.status) c.lastTransitionTime = cur.lastTransitionTime;
  status.conditions = [...conds.filter((x) => x.type !== c.type), c];
}

/** calculateStatus and syncRolloutStatus: counts from the ReplicaSets, then Available and Progressing. */
export function syncDeploymentStatus(env: KubeEnv, d: StoredObject): boolean {
  const now = env.ctx.now();
  const rss = replicaSetsOf(env, d);
  const newRS = newReplicaSetOf(d, rss);
  const sum = (f: (rs: StoredObject) => number, list = rss) => list.reduce((n, rs) => n + f(rs), 0);
  const want = replicasOf(d);
  const replicas = sum((rs) => rs.status?.replicas ?? 0);
  const updated = newRS ? (newRS.status?.replicas ?? 0) : 0;
  const ready = sum((rs) => rs.status?.readyReplicas ?? 0);
  const available = sum((rs) => rs.status?.availableReplicas ?? 0);
  const unavailable = Math.max(0, sum(replicasOf) - available);
  const old = d.status ?? {};
  const next: any = {
    observedGeneration: d.metadata.generation ?? 1,
    ...(replicas ? { replicas } : {}),
    ...(updated ? { updatedReplicas: updated } : {}),
    ...(ready ? { readyReplicas: ready } : {}),
    ...(available ? { availableReplicas: available } : {}),
    ...(unavailable ? { unavailableReplicas: unavailable } : {}),
    conditions: clone(old.conditions ?? []),
    ...(old.collisionCount !== undefined ? { collisionCount: old.collisionCount } : {}),
  };
  if (available >= want - fenceposts(d).unavailable)
    setCondition(next, condition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now));
  else setCondition(next, condition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now));

  const progressing = (next.conditions as Condition[]).find((c) => c.type === "Progressing");
  const complete = replicas === updated && progressing?.reason === "NewReplicaSetAvailable";
  if (!complete && newRS) {
    if (updated === want && replicas === want && available === want) {
      setCondition(next, condition("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${newRS.metadata.name}" has successfully progressed.`, now));
    } else {
      const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
      const moved =
        updated > (old.updatedReplicas ?? 0) || replicas - updated < oldOld || ready > (old.readyReplicas ?? 0) || available > (old.availableReplicas ?? 0);
      if (moved) {
        // progress refreshes lastUpdateTime even with the same reason (progress.go's special case)
        const c = condition("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${newRS.metadata.name}" is progressing.`, now);
        if (progressing?.status === "True") c.lastTransitionTime = progressing.lastTransitionTime;
        next.conditions = (next.conditions as Condition[]).filter((x) => x.type !== "Progressing");
        next.conditions.push(c);
      }
    }
  }
  if (!next.conditions.length) delete next.conditions;
  return env.store.updateStatus("deployments", d, next);
}
