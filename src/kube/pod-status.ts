// Why a pod is not running, from its status as the scheduler and kubelet wrote it: the conditions
// that are not True (PodScheduled False "0/3 nodes are available…") and the containers still
// waiting (ImagePullBackOff, CreateContainerConfigError). Kept beside ops.ts's toPod so the
// test pod's timeout can name the cause instead of only the phase.
import type { V1Pod } from "@kubernetes/client-node";
import type { PodInfo } from "../core/ports.js";

export function podStatusOf(p: V1Pod): Pick<PodInfo, "conditions" | "waiting"> {
  const conditions = (p.status?.conditions ?? [])
    .filter((c) => c.status !== "True")
    .map((c) => ({ type: c.type, status: c.status, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) }));
  const waiting = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
    .filter((c) => c.state?.waiting?.reason)
    .map((c) => ({ container: c.name, reason: c.state!.waiting!.reason!, ...(c.state!.waiting!.message ? { message: c.state!.waiting!.message } : {}) }));
  return { ...(conditions.length ? { conditions } : {}), ...(waiting.length ? { waiting } : {}) };
}
