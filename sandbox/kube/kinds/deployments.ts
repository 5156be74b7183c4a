// Deployments: apps/v1's defaults (one replica, a 25%/25% rolling update, ten revisions of
// history, a 600 s progress deadline, the pod template's own defaults), the selector rules, and
// the scale subresource (GET, PUT, merge or JSON patch of an autoscaling/v1 Scale), which
// ReplicaSets share. What a Deployment makes happen is the controllers' (controllers/deployment.ts).
import type { SandboxRequest, SandboxResponse } from "../../core/types.js";
import { mediaType } from "../body.js";
import { jsonPatch, mergePatch } from "../patch.js";
import { badRequest, failure, invalid, ok } from "../status.js";
import type { ResourceDef } from "../discovery.js";
import type { StoredObject } from "../store.js";
import type { KindHooks, KubeEnv } from "./index.js";
import { defaultTemplate, selectorCauses, selectorUnchanged } from "./pod-templates.js";

export const deployments: KindHooks = {
  validate: selectorCauses,
  admit(_env, dep) {
    defaultTemplate(dep);
    const spec = dep.spec;
    spec.strategy ??= { type: "RollingUpdate" };
    if (spec.strategy.type === "RollingUpdate")
      spec.strategy.rollingUpdate = { maxUnavailable: "25%", maxSurge: "25%", ...(spec.strategy.rollingUpdate ?? {}) };
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    return { ok: true, value: dep };
  },
  checkUpdate: selectorUnchanged("Deployment"),
};

function scaleOf(dep: StoredObject) {
  const m = dep.metadata;
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: dep.spec?.replicas ?? 1 },
    status: {
      replicas: dep.status?.replicas ?? 0,
      selector: Object.entries(dep.spec?.selector?.matchLabels ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    },
  };
}

/** deployments/scale and replicasets/scale. */
export function scale({ store }: KubeEnv, req: SandboxRequest, dep: StoredObject, def: ResourceDef): SandboxResponse {
  if (req.method === "GET") return ok(scaleOf(dep));
  let replicas: unknown;
  try {
    const b = JSON.parse(req.body.toString("utf8"));
    if (mediaType(req) === "application/json-patch+json") {
      const r = jsonPatch(scaleOf(dep), b);
      if (!r.ok) return failure(r.code, r.message);
      replicas = r.value.spec?.replicas;
    } else replicas = (req.method === "PUT" ? b : mergePatch(scaleOf(dep), b)).spec?.replicas;
  } catch {
    return badRequest("error decoding scale request");
  }
  if (typeof replicas !== "number" || replicas < 0 || !Number.isInteger(replicas))
    return invalid("Scale", dep.metadata.name, [
      { reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0` },
    ]);
  const next = JSON.parse(JSON.stringify(dep)) as StoredObject;
  next.spec.replicas = replicas;
  return ok(scaleOf(store.replace(def, dep, next)));
}
