// kube-controller-manager, as far as the sandbox runs it: the garbage collector, the deployment,
// ReplicaSet, StatefulSet, DaemonSet and Job controllers, run to a fixed point before every request (store.ts
// calls them after the kubelet's step), so a Deployment has its ReplicaSet and pods by the time
// anyone looks. Each returns whether it changed anything; nothing changes resourceVersion when
// there was nothing to do.
import type { KubeEnv } from "../kinds/index.js";
import { syncDaemonSet } from "./daemon-set.js";
import { syncJob } from "./job.js";
import { syncDeployment, syncDeploymentStatus } from "./deployment.js";
import { syncReplicaSet } from "./replica-set.js";
import { syncStatefulSet } from "./stateful-set.js";

/** Who may own what (dependent resource, owner resource, the owner's kind). */
const OWNERS = [
  ["replicasets", "deployments", "Deployment"],
  ["pods", "replicasets", "ReplicaSet"],
  ["pods", "statefulsets", "StatefulSet"],
  ["pods", "daemonsets", "DaemonSet"],
  ["pods", "jobs", "Job"],
  ["controllerrevisions", "statefulsets", "StatefulSet"],
  ["controllerrevisions", "daemonsets", "DaemonSet"],
] as const;

/** The garbage collector's background propagation: dependents whose controlling owner is gone are deleted. */
function collectGarbage({ store }: KubeEnv): boolean {
  let changed = false;
  for (const [resource, owner, kind] of OWNERS) {
    const owners = new Set(store.list(owner).map((o) => o.metadata.uid));
    for (const o of store.list(resource)) {
      const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      if (!ref || ref.kind !== kind || owners.has(ref.uid)) continue;
      store.remove(resource, o.metadata.namespace, o.metadata.name);
      changed = true;
    }
  }
  return changed;
}

export function runControllers(env: KubeEnv): boolean {
  let changed = collectGarbage(env);
  for (const d of env.store.list("deployments")) changed = syncDeployment(env, d) || changed;
  for (const rs of env.store.list("replicasets")) changed = syncReplicaSet(env, rs) || changed;
  for (const d of env.store.list("deployments")) changed = syncDeploymentStatus(env, d) || changed;
  for (const s of env.store.list("statefulsets")) changed = syncStatefulSet(env, s) || changed;
  for (const d of env.store.list("daemonsets")) changed = syncDaemonSet(env, d) || changed;
  for (const j of env.store.list("jobs")) changed = syncJob(env, j) || changed;
  return changed;
}
