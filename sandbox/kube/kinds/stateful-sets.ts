// StatefulSets: apps/v1's defaults (SetDefaults_StatefulSet: OrderedReady pod management, a
// RollingUpdate strategy with partition 0, ten revisions of history, the pod template's own
// defaults), the selector rules they share with Deployments, and the fields of the spec that may
// not change. What they make happen is the controller's (controllers/stateful-set.ts).
import { invalid } from "../status.js";
import type { KubeObject, StoredObject } from "../store.js";
import type { KindHooks } from "./index.js";
import { defaultTemplate, selectorCauses, selectorUnchanged } from "./pod-templates.js";

/** What ValidateStatefulSetUpdate lets change; anything else in the spec is forbidden. */
const STS_MUTABLE = ["replicas", "ordinals", "template", "updateStrategy", "persistentVolumeClaimRetentionPolicy", "minReadySeconds", "revisionHistoryLimit"];

export const statefulSets: KindHooks = {
  validate: selectorCauses,
  admit(_env, sts) {
    defaultTemplate(sts);
    const spec = sts.spec;
    spec.podManagementPolicy ??= "OrderedReady";
    spec.updateStrategy ??= { type: "RollingUpdate" };
    if (spec.updateStrategy.type === "RollingUpdate") spec.updateStrategy.rollingUpdate = { partition: 0, ...(spec.updateStrategy.rollingUpdate ?? {}) };
    spec.revisionHistoryLimit ??= 10;
    spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: "Retain", whenScaled: "Retain" };
    return { ok: true, value: sts };
  },
  checkUpdate(old: StoredObject, next: KubeObject) {
    const selector = selectorUnchanged("StatefulSet")(old, next);
    if (selector) return selector;
    const rest = (o: KubeObject) => JSON.stringify(Object.fromEntries(Object.entries(o.spec ?? {}).filter(([k]) => !STS_MUTABLE.includes(k))));
    if (rest(old) === rest(next)) return undefined;
    return invalid("StatefulSet", old.metadata.name, [
      {
        reason: "FieldValueForbidden",
        field: "spec",
        message:
          "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      },
    ]);
  },
};
