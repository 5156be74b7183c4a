// Pod Security admission's "restricted" level (the checks a pod spec can fail there), enforced in a
// namespace labelled pod-security.kubernetes.io/enforce=restricted, with kube-apiserver's message.
// It runs after the mutating webhooks, as the validating plugin does. Baseline-only checks
// (privileged, host namespaces, hostPath) are left out: nothing the sandbox is used with sets them.
import type { KubeObject } from "./store.js";

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";

interface Ctx {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

const quoteList = (names: string[]) => names.map((n) => `"${n}"`).join(", ");
const containerWord = (names: string[]) => (names.length === 1 ? "container" : "containers");

/** The "restricted" violations of a pod, in kube-apiserver's wording; empty when it complies. */
export function restrictedViolations(pod: KubeObject): string[] {
  const podCtx: Ctx = pod.spec?.securityContext ?? {};
  const all: { name: string; securityContext?: Ctx }[] = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
  const out: string[] = [];
  const escalating = all.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (escalating.length)
    out.push(
      `allowPrivilegeEscalation != false (${containerWord(escalating)} ${quoteList(escalating)} must set securityContext.allowPrivilegeEscalation=false)`,
    );
  const undropped = all.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL")).map((c) => c.name);
  const added = all.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((a) => a !== "NET_BIND_SERVICE")).map((c) => c.name);
  if (undropped.length || added.length) {
    const parts = [
      ...(undropped.length ? [`${containerWord(undropped)} ${quoteList(undropped)} must set securityContext.capabilities.drop=["ALL"]`] : []),
      ...(added.length
        ? [`${containerWord(added)} ${quoteList(added)} must not include capabilities other than "NET_BIND_SERVICE" in securityContext.capabilities.add`]
        : []),
    ];
    out.push(`unrestricted capabilities (${parts.join("; ")})`);
  }
  const rootish = all.filter((c) => (c.securityContext?.runAsNonRoot ?? podCtx.runAsNonRoot) !== true).map((c) => c.name);
  if (rootish.length) out.push(`runAsNonRoot != true (pod or ${containerWord(rootish)} ${quoteList(rootish)} must set securityContext.runAsNonRoot=true)`);
  const uid0 = all.filter((c) => (c.securityContext?.runAsUser ?? podCtx.runAsUser) === 0).map((c) => c.name);
  if (uid0.length) out.push(`runAsUser=0 (pod or ${containerWord(uid0)} ${quoteList(uid0)} must not set runAsUser=0)`);
  const okSeccomp = (t?: string) => t === "RuntimeDefault" || t === "Localhost";
  const unconfined = all.filter((c) => !okSeccomp(c.securityContext?.seccompProfile?.type ?? podCtx.seccompProfile?.type)).map((c) => c.name);
  if (unconfined.length)
    out.push(
      `seccompProfile (pod or ${containerWord(unconfined)} ${quoteList(unconfined)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );
  return out;
}
