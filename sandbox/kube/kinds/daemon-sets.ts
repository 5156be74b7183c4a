// DaemonSets: apps/v1's defaults (SetDefaults_DaemonSet: a RollingUpdate of one pod at a time,
// no surge, ten revisions of history, the pod template's own defaults; no replicas) and the
// selector rules. What they make happen is the controller's (controllers/daemon-set.ts).
import type { KindHooks } from "./index.js";
import { selectorCauses, selectorUnchanged } from "./pod-templates.js";
import { defaultPodSpec } from "./pods.js";

export const daemonSets: KindHooks = {
  validate: selectorCauses,
  admit(_env, ds) {
    ds.spec ??= {};
    const t = (ds.spec.template ??= {});
    t.metadata ??= {};
    defaultPodSpec((t.spec ??= {}));
    ds.spec.updateStrategy ??= { type: "RollingUpdate" };
    if (ds.spec.updateStrategy.type === "RollingUpdate")
      ds.spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...(ds.spec.updateStrategy.rollingUpdate ?? {}) };
    ds.spec.revisionHistoryLimit ??= 10;
    return { ok: true, value: ds };
  },
  checkUpdate: selectorUnchanged("DaemonSet"),
};
