// kube-controller-manager, as far as the sandbox runs it: the garbage collector, the deployment
// controller and the ReplicaSet controller, run to a fixed point before every request (store.ts
// calls them after the kubelet's step), so a Deployment has its ReplicaSet and pods by the time
// anyone looks. Each returns whether it changed anything; nothing changes resourceVersion when
// there was nothing to do.
import type { KubeEnv } from "../kinds/index.js";
import { syncDeployment, syncDeploymentStatus } from "./deployment.js";
import { syncReplicaSet } from "./replica-set.js";

/** The garbage collector's background propagation: dependents whose controlling owner is gone are deleted. */
function collectGarbage({ store }: KubeEnv): boolean {
  let changed = false;
  for (const [resource, owner] of [
    ["replicasets", "deployments"],
    ["pods", "replicasets"],
  ] as const) {
    const owners = new Set(store.list(owner).map((o) => o.metadata.uid));
    for (const o of store.list(resource)) {
      const ref = (o.metadata.ownerReferences ?? []).find((r) => r.controller);
      if (!ref || ref.kind !== (owner === "deployments" ? "Deployment" : "ReplicaSet") || owners.has(ref.uid)) continue;
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
  return changed;
}
