// The sandbox's Pod Security "restricted" checks, in kube-apiserver's wording.
import { describe, expect, it } from "vitest";
import { restrictedViolations } from "../../../sandbox/kube/pod-security.js";

const pod = (spec: any) => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec }) as any;

describe("Pod Security restricted", () => {
  it("names every violation of a bare pod, per container", () => {
    expect(restrictedViolations(pod({ containers: [{ name: "a" }, { name: "b", securityContext: { runAsUser: 0 } }] }))).toEqual([
      'allowPrivilegeEscalation != false (containers "a", "b" must set securityContext.allowPrivilegeEscalation=false)',
      'unrestricted capabilities (containers "a", "b" must set securityContext.capabilities.drop=["ALL"])',
      'runAsNonRoot != true (pod or containers "a", "b" must set securityContext.runAsNonRoot=true)',
      'runAsUser=0 (pod or container "b" must not set runAsUser=0)',
      'seccompProfile (pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ]);
  });

  it("accepts pod-level runAsNonRoot and seccomp with container-level escalation and capabilities", () => {
    const c = { name: "a", securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } };
    expect(restrictedViolations(pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } }, containers: [c] }))).toEqual([]);
    expect(restrictedViolations(pod({ securityContext: { runAsNonRoot: true, seccompProfile: { type: "Unconfined" } }, containers: [c] }))).toHaveLength(1);
  });
});
