// Deployments: one replica unless asked, and the scale subresource (GET, PUT, merge or JSON patch
// of an autoscaling/v1 Scale). The deployment controller's status lives in store.ts.
import type { SandboxRequest, SandboxResponse } from "../../core/types.js";
import { mediaType } from "../body.js";
import { jsonPatch, mergePatch } from "../patch.js";
import { badRequest, failure, invalid, ok } from "../status.js";
import type { ResourceDef } from "../discovery.js";
import type { StoredObject } from "../store.js";
import type { KindHooks, KubeEnv } from "./index.js";

export const deployments: KindHooks = {
  admit(_env, dep) {
    dep.spec = { replicas: 1, ...(dep.spec ?? {}) };
    return { ok: true, value: dep };
  },
};

function scaleOf(dep: StoredObject) {
  const m = dep.metadata;
  return {
    kind: "Scale", apiVersion: "autoscaling/v1",
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: dep.spec?.replicas ?? 1 },
    status: { replicas: dep.status?.replicas ?? 0, selector: Object.entries(dep.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",") },
  };
}

/** deployments/scale. */
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
    return invalid("Scale", dep.metadata.name, [{ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0` }]);
  const next = JSON.parse(JSON.stringify(dep)) as StoredObject;
  next.spec.replicas = replicas;
  return ok(scaleOf(store.replace(def, dep, next)));
}
