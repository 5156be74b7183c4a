// CronJobs (batch/v1): SetDefaults_CronJob's defaults and the job template's pod spec rules.
// Stored only: the sandbox runs no CronJob controller, so no Job is ever scheduled.
import type { StatusCause } from "../status.js";
import type { KubeObject } from "../store.js";
import type { KindHooks } from "./index.js";
import { defaultPodSpec } from "./pods.js";

/** A Job's pods never restart in place forever: only OnFailure or Never (ValidatePodTemplateSpecForJob). */
function validateCronJob(cj: KubeObject): StatusCause[] {
  const policy = cj.spec?.jobTemplate?.spec?.template?.spec?.restartPolicy;
  if (policy === "OnFailure" || policy === "Never") return [];
  return [
    {
      reason: policy ? "FieldValueNotSupported" : "FieldValueRequired",
      field: "spec.jobTemplate.spec.template.spec.restartPolicy",
      message: policy ? `Unsupported value: "${policy}": supported values: "OnFailure", "Never"` : "Required value",
    },
  ];
}

export const cronJobs: KindHooks = {
  validate: validateCronJob,
  admit(_env, cj) {
    const spec = (cj.spec ??= {});
    spec.concurrencyPolicy ??= "Allow";
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    const t = (((spec.jobTemplate ??= {}).spec ??= {}).template ??= {});
    t.metadata ??= {};
    defaultPodSpec((t.spec ??= {}));
    return { ok: true, value: cj };
  },
};
