// The StatefulSet controller (kubernetes/pkg/controller/statefulset): pods named
// `<name>-<ordinal>` with stable identities (the pod-name and pod-index labels, hostname and
// subdomain), each labelled with the controller-revision-hash of the ControllerRevision it was
// made from. OrderedReady (the default) creates them one at a time in ordinal order, each once the
// ones before it are Running and Ready, and removes them highest first; Parallel does both at
// once. A RollingUpdate deletes the highest-ordinal pod not at the update revision (down to the
// partition) once every pod is Running and Ready, and makes it again from the new template;
// OnDelete replaces only pods someone deletes. Then the status kubectl rollout status reads
// (observedGeneration, replicas, readyReplicas, currentReplicas, updatedReplicas, the current and
// update revisions, which become one when the update is complete).
import type { KubeEnv } from "../kinds/index.js";
import type { StoredObject } from "../store.js";
import { ownedBy } from "./owners.js";
import { createControlledPod } from "./pod-factory.js";
import { podAvailable, podReady } from "./replica-set.js";
import { REVISION_HASH_LABEL, revisionsOf, templateOfRevision, truncateHistory, updateRevision } from "./revisions.js";

const COMPONENT = "statefulset-controller";
const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

const replicasOf = (sts: StoredObject) => Number(sts.spec?.replicas ?? 1);
const startOf = (sts: StoredObject) => Number(sts.spec?.ordinals?.start ?? 0);
const revisionOfPod = (pod: StoredObject) => pod.metadata.labels?.[REVISION_HASH_LABEL];

/** The ordinal in a pod's name `<set>-<n>`, or undefined for a pod that is not one of the set's. */
function ordinalOf(sts: StoredObject, pod: StoredObject): number | undefined {
  const prefix = `${sts.metadata.name}-`;
  const rest = pod.metadata.name.startsWith(prefix) ? pod.metadata.name.slice(prefix.length) : "";
  return /^\d+$/.test(rest) ? Number(rest) : undefined;
}

function podsOf(env: KubeEnv, sts: StoredObject): StoredObject[] {
  return env.store
    .list("pods", sts.metadata.namespace)
    .filter(ownedBy(sts))
    .filter((p) => !p.metadata.deletionTimestamp && ordinalOf(sts, p) !== undefined);
}

/** newVersionedStatefulSetPod: below the partition a new pod gets the current revision, else the update one. */
function revisionForNewPod(sts: StoredObject, ordinal: number, current: StoredObject, update: StoredObject): StoredObject {
  const strategy = sts.spec?.updateStrategy ?? {};
  if (strategy.type === "RollingUpdate" && ordinal < startOf(sts) + Number(strategy.rollingUpdate?.partition ?? 0)) return current;
  return update;
}

function createPod(env: KubeEnv, sts: StoredObject, ordinal: number, rev: StoredObject): boolean {
  const name = `${sts.metadata.name}-${ordinal}`;
  const r = createControlledPod(env, sts, templateOfRevision(rev), {
    name,
    labels: { [REVISION_HASH_LABEL]: rev.metadata.name, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
    spec: (spec) => {
      spec.hostname = name;
      if (sts.spec?.serviceName) spec.subdomain = sts.spec.serviceName;
    },
  });
  const now = env.ctx.now();
  if (!r.ok) {
    env.store.recordRepeatedEvent(
      sts,
      {
        reason: "FailedCreate",
        type: "Warning",
        component: COMPONENT,
        message: `create Pod ${name} in StatefulSet ${sts.metadata.name} failed error: ${r.message}`,
      },
      now,
    );
    return false;
  }
  env.store.recordEvent(
    sts,
    { reason: "SuccessfulCreate", component: COMPONENT, message: `create Pod ${name} in StatefulSet ${sts.metadata.name} successful` },
    now,
  );
  return true;
}

function deletePod(env: KubeEnv, sts: StoredObject, pod: StoredObject): void {
  env.store.remove("pods", pod.metadata.namespace, pod.metadata.name);
  env.store.recordEvent(
    sts,
    { reason: "SuccessfulDelete", component: COMPONENT, message: `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful` },
    env.ctx.now(),
  );
}

/** One sync of one StatefulSet: its revisions, then its pods, then its status. True when anything changed. */
export function syncStatefulSet(env: KubeEnv, stsIn: StoredObject): boolean {
  if (stsIn.metadata.deletionTimestamp) return false;
  const { store } = env;
  const before = JSON.stringify(revisionsOf(env, stsIn).map((r) => [r.metadata.name, r.revision]));
  const update = updateRevision(env, stsIn);
  const sts = store.get("statefulsets", stsIn.metadata.namespace, stsIn.metadata.name)!;
  const current = revisionsOf(env, sts).find((r) => r.metadata.name === sts.status?.currentRevision) ?? update;
  let changed = before !== JSON.stringify(revisionsOf(env, sts).map((r) => [r.metadata.name, r.revision]));

  const ordered = (sts.spec?.podManagementPolicy ?? "OrderedReady") === "OrderedReady";
  const start = startOf(sts);
  const end = start + replicasOf(sts);
  const healthy = (p: StoredObject) => podReady(p);
  const pods = () => podsOf(env, sts);
  const byOrdinal = () => new Map(pods().map((p) => [ordinalOf(sts, p)!, p]));

  // pods in range: create what is missing, in order; OrderedReady waits for each to be Ready
  let blocked = false;
  for (let i = start; i < end && !blocked; i++) {
    const pod = byOrdinal().get(i);
    if (!pod) {
      if (createPod(env, sts, i, revisionForNewPod(sts, i, current, update))) changed = true;
      if (ordered) blocked = true;
    } else if (ordered && !healthy(pod)) blocked = true;
  }
  // pods out of range: removed highest first, one at a time when ordered and only while all are healthy
  const condemned = pods()
    .filter((p) => ordinalOf(sts, p)! < start || ordinalOf(sts, p)! >= end)
    .sort((a, b) => ordinalOf(sts, b)! - ordinalOf(sts, a)!);
  for (const p of condemned) {
    if (ordered && (blocked || pods().some((x) => !healthy(x)))) break;
    deletePod(env, sts, p);
    changed = true;
    if (ordered) break;
  }
  // the rolling update: the highest pod not at the update revision, down to the partition
  const strategy = sts.spec?.updateStrategy ?? { type: "RollingUpdate" };
  const inRange = [...byOrdinal().entries()].filter(([i]) => i >= start && i < end);
  if (strategy.type === "RollingUpdate" && !blocked && inRange.length === end - start && inRange.every(([, p]) => healthy(p))) {
    const partition = start + Number(strategy.rollingUpdate?.partition ?? 0);
    const stale = inRange.filter(([i, p]) => i >= partition && revisionOfPod(p) !== update.metadata.name).sort(([a], [b]) => b - a)[0];
    if (stale) {
      deletePod(env, sts, stale[1]);
      changed = true;
    }
  }
  const live = new Set(pods().map((p) => revisionOfPod(p) ?? ""));
  live.add(current.metadata.name);
  live.add(update.metadata.name);
  changed = truncateHistory(env, sts, live) || changed;
  return writeStatus(env, sts, current, update) || changed;
}

/** updateStatefulSetStatus, with completeRollingUpdate: once every pod is updated and ready, the update revision is current. */
function writeStatus(env: KubeEnv, sts: StoredObject, current: StoredObject, update: StoredObject): boolean {
  const now = env.ctx.now();
  const pods = podsOf(env, sts);
  const minReady = Number(sts.spec?.minReadySeconds ?? 0);
  const count = (f: (p: StoredObject) => boolean) => pods.filter(f).length;
  const replicas = pods.length;
  const ready = count(podReady);
  const updated = count((p) => revisionOfPod(p) === update.metadata.name);
  let currentRevision = current.metadata.name;
  let currentReplicas = count((p) => revisionOfPod(p) === currentRevision);
  const rolling = (sts.spec?.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
  if (rolling && updated === replicas && ready === replicas && replicas === replicasOf(sts)) {
    currentRevision = update.metadata.name;
    currentReplicas = updated;
  }
  const status: Record<string, unknown> = {
    observedGeneration: sts.metadata.generation ?? 1,
    replicas,
    ...(ready ? { readyReplicas: ready } : {}),
    ...(currentReplicas ? { currentReplicas } : {}),
    ...(updated ? { updatedReplicas: updated } : {}),
    currentRevision,
    updateRevision: update.metadata.name,
    collisionCount: sts.status?.collisionCount ?? 0,
    availableReplicas: count((p) => podAvailable(p, minReady, now)),
  };
  return env.store.updateStatus("statefulsets", sts, status);
}
