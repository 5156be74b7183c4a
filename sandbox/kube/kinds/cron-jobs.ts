// CronJobs (batch/v1): SetDefaults_CronJob's defaults and the job template's pod spec rules.
// Stored only: the sandbox runs no CronJob controller, so no Job is ever scheduled.
import type { StatusCause } from "../status.js";
import type { KubeObject } from "../store.js";
import type { KindHooks } from "./index.js";
import { defaultJobSpec, jobRestartPolicyCauses } from "./jobs.js";

function validateCronJob(cj: KubeObject): StatusCause[] {
  return jobRestartPolicyCauses(cj.spec?.jobTemplate?.spec?.template?.spec?.restartPolicy, "spec.jobTemplate.spec.template.spec.restartPolicy");
}

export const cronJobs: KindHooks = {
  validate: validateCronJob,
  admit(_env, cj) {
    const spec = (cj.spec ??= {});
    spec.concurrencyPolicy ??= "Allow";
    spec.suspend ??= false;
    spec.successfulJobsHistoryLimit ??= 3;
    spec.failedJobsHistoryLimit ??= 1;
    (spec.jobTemplate ??= {}).metadata ??= {};
    defaultJobSpec((spec.jobTemplate.spec ??= {}));
    return { ok: true, value: cj };
  },
};
