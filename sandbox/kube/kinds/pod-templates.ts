// What Deployments and ReplicaSets share: a pod template the API defaults as it defaults pods'
// specs, a required selector that must select the template's labels, and that selector's
// immutability (apps/v1), worded as apps validation words them.
import { matchLabelSelector } from "../selectors.js";
import { invalid, type StatusCause } from "../status.js";
import type { KubeObject, StoredObject } from "../store.js";
import { defaultPodSpec } from "./pods.js";
import type { SandboxResponse } from "../../core/types.js";

/** Go's %#v of a map[string]string, keys sorted: map[string]string{"app":"web"}. */
const goMap = (m: Record<string, string> | undefined) =>
  `map[string]string{${Object.keys(m ?? {})
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(m![k])}`)
    .join(", ")}}`;

const goSelector = (s: any) =>
  `v1.LabelSelector{MatchLabels:${goMap(s?.matchLabels)}, MatchExpressions:[]v1.LabelSelectorRequirement(${s?.matchExpressions?.length ? "…" : "nil"})}`;

export function defaultTemplate(obj: KubeObject): void {
  obj.spec ??= {};
  obj.spec.replicas ??= 1;
  const t = (obj.spec.template ??= {});
  t.metadata ??= {};
  defaultPodSpec((t.spec ??= {}));
}

export function selectorCauses(obj: KubeObject): StatusCause[] {
  const sel = obj.spec?.selector;
  const labels = obj.spec?.template?.metadata?.labels;
  const causes: StatusCause[] = [];
  const empty = !sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length);
  if (!sel) causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.selector" });
  else if (empty)
    causes.push({
      reason: "FieldValueInvalid",
      message: `Invalid value: ${goSelector(sel)}: empty selector is invalid for deployment`,
      field: "spec.selector",
    });
  if (empty || !matchLabelSelector(labels, sel))
    causes.push({
      reason: "FieldValueInvalid",
      message: `Invalid value: ${goMap(labels)}: \`selector\` does not match template \`labels\``,
      field: "spec.template.metadata.labels",
    });
  return causes;
}

export function selectorUnchanged(kind: string) {
  return (old: StoredObject, next: KubeObject): SandboxResponse | undefined => {
    if (JSON.stringify(old.spec?.selector ?? null) === JSON.stringify(next.spec?.selector ?? null)) return undefined;
    return invalid(kind, old.metadata.name, [
      { reason: "FieldValueInvalid", field: "spec.selector", message: `Invalid value: ${goSelector(next.spec?.selector)}: field is immutable` },
    ]);
  };
}
