import { describe, expect, it } from "vitest";
import { findWorkloads, pickPod } from "../../../src/doctor/workloads.js";
import { deployment, pod, sa } from "../../helpers/doctor-fixtures.js";

const rsPod = (name: string, over = {}) => pod({ name, owner: { kind: "ReplicaSet", name: "web-6d4b9c" }, ...over });

describe("findWorkloads", () => {
  it("a Deployment's pods are one workload, judged by its newest running pod; a standalone pod is its own", () => {
    const ws = findWorkloads({
      serviceAccounts: [sa()],
      pods: [
        rsPod("web-6d4b9c-old", { creationTimestamp: "2026-01-01T10:00:00.000Z" }),
        rsPod("web-6d4b9c-new", { creationTimestamp: "2026-01-01T11:00:00.000Z" }),
        rsPod("web-6d4b9c-newest", { creationTimestamp: "2026-01-01T11:30:00.000Z", phase: "Pending" }),
        pod({ name: "job-pod", owner: { kind: "Job", name: "migrate" } }),
      ],
      deployments: [deployment()],
    });
    expect(ws.map((w) => `${w.kind}/${w.name}:${w.pod?.name}`)).toEqual(["deployment/web:web-6d4b9c-new", "pod/job-pod:job-pod"]);
  });

  it("an annotated service account nothing runs under is a workload of its own", () => {
    expect(findWorkloads({ serviceAccounts: [sa()], pods: [], deployments: [] }).map((w) => `${w.kind}/${w.name}`)).toEqual(["serviceaccount/sa"]);
  });

  it("finds service accounts by a near-miss key, by the label on the SA, a labelled pod or a labelled Deployment; ignores the rest", () => {
    const ws = findWorkloads({
      serviceAccounts: [
        sa({ name: "typo", annotations: { "azure.workload.identity/client_id": "x" } }),
        sa({ name: "labelled", annotations: {}, labels: { "azure.workload.identity/use": "true" } }),
        sa({ name: "plain", annotations: {} }),
        sa({ name: "default", annotations: {} }),
      ],
      pods: [
        pod({ name: "p-default", serviceAccountName: "default" }),
        pod({ name: "p-plain", serviceAccountName: "plain", labels: {} }),
        pod({ name: "p-ghost", serviceAccountName: "ghost" }),
      ],
      deployments: [deployment({ name: "d", serviceAccountName: "dep-sa", labels: { "azure.workload.identity/use": "true" }, templateLabels: {} })],
    });
    expect(ws.map((w) => `${w.namespace}/${w.serviceAccount} ${w.kind}/${w.name}${w.sa ? "" : " (no SA)"}`)).toEqual([
      "ns/default pod/p-default",
      "ns/dep-sa deployment/d (no SA)",
      "ns/ghost pod/p-ghost (no SA)",
      "ns/labelled serviceaccount/labelled",
      "ns/typo serviceaccount/typo",
    ]);
  });

  it("a pod of a Deployment left under another service account (an old rollout) is judged on its own", () => {
    const ws = findWorkloads({
      serviceAccounts: [sa()],
      pods: [rsPod("web-6d4b9c-a", { serviceAccountName: "old" })],
      deployments: [deployment()],
    });
    expect(ws.map((w) => `${w.serviceAccount} ${w.kind}/${w.name}:${w.pod?.name ?? "-"}`)).toEqual([
      "old pod/web-6d4b9c-a:web-6d4b9c-a",
      "sa deployment/web:-",
    ]);
  });
});

describe("pickPod", () => {
  it("skips pods being deleted", () => {
    expect(pickPod([pod({ name: "a", deleting: true }), pod({ name: "b", creationTimestamp: "2026-01-01T09:00:00.000Z" })])?.name).toBe("b");
    expect(pickPod([])).toBeUndefined();
  });
});
