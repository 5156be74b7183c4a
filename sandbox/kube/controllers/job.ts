// The Job controller (pkg/controller/job), as far as the sandbox can run it: it keeps
// `parallelism` pods (no more than the completions still wanted) from the template, named
// `<job>-<random>`, and reports them in status (active, ready, startTime, terminating). The
// sandbox runs no images, so a pod never exits: a Job's pods run until deleted and the Job never
// completes, like a workload that has not finished yet. A suspended Job has no pods.
import type { KubeEnv } from "../kinds/index.js";
import type { StoredObject } from "../store.js";
import { ownedBy } from "./owners.js";
import { createControlledPod } from "./pod-factory.js";
import { podReady } from "./replica-set.js";

const COMPONENT = "job-controller";

export function syncJob(env: KubeEnv, job: StoredObject): boolean {
  if (!job.spec?.selector) return false; // not yet through its create (afterCreate writes the selector)
  const pods = env.store.list("pods", job.metadata.namespace).filter(ownedBy(job));
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
  const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
  const want = job.spec.suspend ? 0 : Math.max(0, Math.min(Number(job.spec.parallelism ?? 1), Number(job.spec.completions ?? 1) - succeeded));
  let changed = false;
  for (let i = active.length; i < want; i++) {
    const r = createControlledPod(env, job, job.spec.template, { generateName: `${job.metadata.name}-` });
    if (!r.ok) {
      env.store.recordRepeatedEvent(
        job,
        { type: "Warning", reason: "FailedCreate", message: `Error creating: ${r.message}`, component: COMPONENT },
        env.ctx.now(),
      );
      break;
    }
    env.store.recordEvent(
      job,
      { type: "Normal", reason: "SuccessfulCreate", message: `Created pod: ${r.pod.metadata.name}`, component: COMPONENT },
      env.ctx.now(),
    );
    active.push(r.pod);
    changed = true;
  }
  const status = {
    ...(job.status ?? {}),
    ...(want > 0 || job.status?.startTime ? { startTime: job.status?.startTime ?? new Date(env.ctx.now()).toISOString() } : {}),
    active: active.length || undefined,
    ready: active.filter(podReady).length,
    terminating: pods.filter((p) => p.metadata.deletionTimestamp).length,
    uncountedTerminatedPods: {},
  };
  if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return changed;
  return env.store.updateStatus("jobs", job, JSON.parse(JSON.stringify(status))) || changed;
}
