// The DaemonSet controller (kubernetes/pkg/controller/daemon): one pod per node — the sandbox has
// one node — made from the template with the controller-revision-hash and pod-template-generation
// labels, the node affinity that pins it to its node and the tolerations the controller adds. A
// RollingUpdate replaces pods not at the update revision within maxUnavailable (deleting first)
// or maxSurge (a new pod first, the old one deleted once the new one is available); OnDelete
// replaces only pods someone deletes. Then the status kubectl rollout status reads
// (observedGeneration, desiredNumberScheduled, updatedNumberScheduled, numberAvailable…).
import type { KubeEnv } from "../kinds/index.js";
import { NODE_NAME } from "../kubelet.js";
import type { StoredObject } from "../store.js";
import { ownedBy } from "./owners.js";
import { createControlledPod } from "./pod-factory.js";
import { podAvailable, podReady } from "./replica-set.js";
import { REVISION_HASH_LABEL, hashOf, truncateHistory, updateRevision } from "./revisions.js";

const COMPONENT = "daemonset-controller";
const GENERATION_LABEL = "pod-template-generation";
const NODES = [NODE_NAME];

/** util.AddOrUpdateDaemonPodTolerations: a daemon pod stays on a node that is unhealthy or cordoned. */
const DAEMON_TOLERATIONS = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

/** intstr: an int, or a percentage of the desired number, rounded up for surge and down (but at least one) for unavailability. */
function scaled(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v ?? ""));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function podsOf(env: KubeEnv, ds: StoredObject): StoredObject[] {
  return env.store
    .list("pods", ds.metadata.namespace)
    .filter(ownedBy(ds))
    .filter((p) => !p.metadata.deletionTimestamp);
}

const nodeOf = (pod: StoredObject) =>
  pod.spec?.nodeName ?? pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];

function createPod(env: KubeEnv, ds: StoredObject, node: string, hash: string): boolean {
  const r = createControlledPod(env, ds, ds.spec.template, {
    generateName: `${ds.metadata.name}-`,
    labels: { [REVISION_HASH_LABEL]: hash, [GENERATION_LABEL]: String(ds.metadata.generation ?? 1) },
    spec: (spec) => {
      spec.affinity = {
        ...(spec.affinity ?? {}),
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] }] },
        },
      };
      spec.tolerations = [...(spec.tolerations ?? [])];
      for (const t of DAEMON_TOLERATIONS) if (!spec.tolerations.some((x: any) => x.key === t.key && x.effect === t.effect)) spec.tolerations.push(t);
    },
  });
  const now = env.ctx.now();
  if (!r.ok) {
    env.store.recordRepeatedEvent(ds, { reason: "FailedCreate", type: "Warning", component: COMPONENT, message: `Error creating: ${r.message}` }, now);
    return false;
  }
  env.store.recordEvent(ds, { reason: "SuccessfulCreate", component: COMPONENT, message: `Created pod: ${r.pod.metadata.name}` }, now);
  return true;
}

function deletePod(env: KubeEnv, ds: StoredObject, pod: StoredObject): void {
  env.store.remove("pods", pod.metadata.namespace, pod.metadata.name);
  env.store.recordEvent(ds, { reason: "SuccessfulDelete", component: COMPONENT, message: `Deleted pod: ${pod.metadata.name}` }, env.ctx.now());
}

/** One sync of one DaemonSet: its revision, a pod on every node, the rolling update, its status. */
export function syncDaemonSet(env: KubeEnv, dsIn: StoredObject): boolean {
  if (dsIn.metadata.deletionTimestamp) return false;
  const { store } = env;
  const revsBefore = store.list("controllerrevisions", dsIn.metadata.namespace).length;
  const hash = hashOf(updateRevision(env, dsIn));
  const ds = store.get("daemonsets", dsIn.metadata.namespace, dsIn.metadata.name)!;
  let changed = revsBefore !== store.list("controllerrevisions", ds.metadata.namespace).length;
  const now = env.ctx.now();
  const minReady = Number(ds.spec?.minReadySeconds ?? 0);
  const strategy = ds.spec?.updateStrategy ?? { type: "RollingUpdate" };
  const surge = strategy.type === "RollingUpdate" ? scaled(strategy.rollingUpdate?.maxSurge ?? 0, NODES.length, true) : 0;
  const maxUnavailable =
    strategy.type === "RollingUpdate" ? Math.max(surge ? 0 : 1, scaled(strategy.rollingUpdate?.maxUnavailable ?? 1, NODES.length, false)) : 0;

  for (const node of NODES) {
    const onNode = podsOf(env, ds).filter((p) => nodeOf(p) === node);
    if (onNode.length === 0) {
      changed = createPod(env, ds, node, hash) || changed;
      continue;
    }
    // more than one (a surge, or a pod made by hand with the labels): the newest updated one stays
    const fresh = onNode.filter((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash);
    const old = onNode.filter((p) => p.metadata.labels?.[REVISION_HASH_LABEL] !== hash);
    if (strategy.type !== "RollingUpdate" || old.length === 0) continue;
    if (surge > 0) {
      if (fresh.length === 0) changed = createPod(env, ds, node, hash) || changed;
      else if (fresh.some((p) => podAvailable(p, minReady, now))) {
        for (const p of old) deletePod(env, ds, p);
        changed = true;
      }
      continue;
    }
    // no surge: delete the old pod while few enough are unavailable; the next pass makes the new one
    const unavailable = NODES.filter((n) => !podsOf(env, ds).some((p) => nodeOf(p) === n && podAvailable(p, minReady, now))).length;
    const oldIsAvailable = old.some((p) => podAvailable(p, minReady, now));
    if (!oldIsAvailable || unavailable < maxUnavailable) {
      for (const p of old) deletePod(env, ds, p);
      changed = true;
    }
  }
  changed = truncateHistory(env, ds, new Set(podsOf(env, ds).map((p) => `${ds.metadata.name}-${p.metadata.labels?.[REVISION_HASH_LABEL]}`))) || changed;
  return writeStatus(env, ds, hash) || changed;
}

/** updateDaemonSetStatus: counts per node; zero counts left out where Go's omitempty leaves them out. */
function writeStatus(env: KubeEnv, ds: StoredObject, hash: string): boolean {
  const now = env.ctx.now();
  const minReady = Number(ds.spec?.minReadySeconds ?? 0);
  const pods = podsOf(env, ds);
  const nodesWith = (f: (p: StoredObject) => boolean) => NODES.filter((n) => pods.some((p) => nodeOf(p) === n && f(p))).length;
  const available = nodesWith((p) => podAvailable(p, minReady, now));
  const status: Record<string, unknown> = {
    currentNumberScheduled: nodesWith(() => true),
    desiredNumberScheduled: NODES.length,
    numberMisscheduled: 0,
    numberReady: nodesWith(podReady),
    observedGeneration: ds.metadata.generation ?? 1,
    ...(nodesWith((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash)
      ? { updatedNumberScheduled: nodesWith((p) => p.metadata.labels?.[REVISION_HASH_LABEL] === hash) }
      : {}),
    ...(available ? { numberAvailable: available } : {}),
    ...(NODES.length - available ? { numberUnavailable: NODES.length - available } : {}),
  };
  return env.store.updateStatus("daemonsets", ds, status);
}
