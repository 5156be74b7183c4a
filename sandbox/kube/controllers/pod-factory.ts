// How every controller makes a pod from its template (controller.PodControl's CreatePods): the
// template's labels and annotations, the controller's owner reference, through validation and
// pod admission — so the ServiceAccount plugin and the workload-identity webhook see it as they
// see any pod — and the API's refusal, worded as the real one, when it is refused.
import { findResource } from "../discovery.js";
import { kindOf, type KubeEnv } from "../kinds/index.js";
import { admitPod } from "../kinds/pods.js";
import { generatedNameSuffix } from "../names.js";
import type { KubeObject, StoredObject } from "../store.js";
import { controllerRef } from "./owners.js";

const POD_DEF = findResource("", "v1", "pods")!;
const MANAGER = "kube-controller-manager";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

export type Created = { ok: true; pod: StoredObject } | { ok: false; message: string };

export interface PodNaming {
  /** A fixed name (a StatefulSet's `<name>-<ordinal>`); otherwise `generateName` plus a random suffix. */
  name?: string;
  generateName?: string;
  /** Labels the controller adds to the template's (revision hashes, pod names). */
  labels?: Record<string, string>;
  /** What the controller sets in the spec beyond the template (a DaemonSet's node affinity, a StatefulSet's hostname). */
  spec?: (spec: any) => void;
}

export function createControlledPod(env: KubeEnv, owner: StoredObject, templateIn: any, naming: PodNaming): Created {
  const template = clone(templateIn ?? {});
  // admission sees the generateName prefix as the name (the suffix is added when it is stored),
  // so its refusals read `pods "web-5d8f9c7b4-" is forbidden: …` as the real ones do
  const shown = naming.name ?? naming.generateName!;
  const pod: KubeObject = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(naming.name ? {} : { generateName: naming.generateName }),
      name: shown,
      namespace: owner.metadata.namespace,
      labels: { ...(template.metadata?.labels ?? {}), ...(naming.labels ?? {}) },
      ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      ownerReferences: [controllerRef(owner)],
    },
    spec: template.spec ?? {},
  };
  naming.spec?.(pod.spec);
  const causes = kindOf("pods").validate?.(pod) ?? [];
  if (causes.length) return { ok: false, message: `Pod "${shown}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}` };
  const admitted = admitPod(env, pod);
  if (!admitted.ok) return { ok: false, message: String((admitted.res.body as { message?: string } | undefined)?.message ?? "admission refused the pod") };
  const value = admitted.value;
  if (!naming.name) value.metadata.name = naming.generateName + generatedNameSuffix();
  const created = env.store.create(POD_DEF, value, MANAGER);
  kindOf("pods").afterCreate?.(env, created);
  return { ok: true, pod: created };
}
