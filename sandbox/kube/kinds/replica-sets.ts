// ReplicaSets: one replica unless asked, the pod template's defaults and the selector rules.
// The deployment controller makes them; the ReplicaSet controller (controllers/replica-set.ts)
// keeps their pods.
import type { KindHooks } from "./index.js";
import { defaultTemplate, selectorCauses, selectorUnchanged } from "./pod-templates.js";

export const replicaSets: KindHooks = {
  validate: selectorCauses,
  admit(_env, rs) {
    defaultTemplate(rs);
    return { ok: true, value: rs };
  },
  checkUpdate: selectorUnchanged("ReplicaSet"),
};
