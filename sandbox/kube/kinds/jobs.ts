// Jobs (batch/v1): SetDefaults_Job, and the job strategy's PrepareForCreate, which makes the
// selector from the Job's own UID unless spec.manualSelector (pkg/registry/batch/job/strategy.go
// generateSelector): `batch.kubernetes.io/controller-uid` in the selector, that label with
// `batch.kubernetes.io/job-name` (and the legacy `controller-uid` and `job-name`) on the pod
// template. The UID exists only once the Job is stored, so the selector is written then, in the
// same create (afterCreate), before anyone sees the Job.
import type { StatusCause } from "../status.js";
import type { KubeObject } from "../store.js";
import type { KindHooks } from "./index.js";
import { defaultPodSpec } from "./pods.js";

export const JOB_UID_LABEL = "batch.kubernetes.io/controller-uid";
export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";

/** A Job's pods never restart in place forever: only OnFailure or Never (ValidatePodTemplateSpecForJob). */
export function jobRestartPolicyCauses(policy: unknown, field: string): StatusCause[] {
  if (policy === "OnFailure" || policy === "Never") return [];
  return [
    {
      reason: policy ? "FieldValueNotSupported" : "FieldValueRequired",
      field,
      message: policy ? `Unsupported value: "${policy}": supported values: "OnFailure", "Never"` : "Required value",
    },
  ];
}

/** SetDefaults_Job for what the sandbox models (NonIndexed completion; no pod failure policy). */
export function defaultJobSpec(spec: any): void {
  spec.parallelism ??= 1;
  spec.completions ??= spec.parallelism === 1 ? 1 : spec.completions;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= "NonIndexed";
  spec.suspend ??= false;
  spec.manualSelector ??= false;
  spec.podReplacementPolicy ??= "TerminatingOrFailed";
  const t = (spec.template ??= {});
  t.metadata ??= {};
  defaultPodSpec((t.spec ??= {}));
}

export const jobs: KindHooks = {
  validate: (job: KubeObject) => jobRestartPolicyCauses(job.spec?.template?.spec?.restartPolicy, "spec.template.spec.restartPolicy"),
  admit(_env, job) {
    defaultJobSpec((job.spec ??= {}));
    return { ok: true, value: job };
  },
  afterCreate({ store }, created) {
    const job = store.get("jobs", created.metadata.namespace, created.metadata.name);
    if (!job || job.spec.manualSelector) return;
    const uid = job.metadata.uid;
    const labels = { [JOB_UID_LABEL]: uid, [JOB_NAME_LABEL]: job.metadata.name, "controller-uid": uid, "job-name": job.metadata.name };
    job.spec.selector = { matchLabels: { [JOB_UID_LABEL]: uid } };
    job.spec.template.metadata.labels = { ...(job.spec.template.metadata.labels ?? {}), ...labels };
  },
};
