// kubectl rollout status's decisions per kind (rollout_status.go), and spec.selector as a label
// selector string, over API objects as JSON.
import { describe, expect, it } from "vitest";
import { daemonSetStatus, deploymentStatus, rolloutStatus, selectorString, statefulSetStatus } from "../../../src/kube/rollout.js";

const meta = (generation = 2) => ({ name: "web", generation });

describe("deploymentStatus", () => {
  it("waits for the spec to be observed, then updated, old terminated and available replicas, in kubectl's order and words", () => {
    const d = (status: object) => ({ metadata: meta(), spec: { replicas: 2 }, status });
    expect(deploymentStatus(d({ observedGeneration: 1 }))).toEqual({ done: false, message: "Waiting for deployment spec update to be observed..." });
    expect(deploymentStatus(d({ observedGeneration: 2, replicas: 3, updatedReplicas: 1 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 out of 2 new replicas have been updated...',
    );
    expect(deploymentStatus(d({ observedGeneration: 2, replicas: 3, updatedReplicas: 2 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...',
    );
    expect(deploymentStatus(d({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 1 })).message).toBe(
      'Waiting for deployment "web" rollout to finish: 1 of 2 updated replicas are available...',
    );
    expect(deploymentStatus(d({ observedGeneration: 2, replicas: 2, updatedReplicas: 2, availableReplicas: 2 }))).toEqual({
      done: true,
      message: 'deployment "web" successfully rolled out',
    });
  });

  it("fails at once when the progress deadline is exceeded", () => {
    const s = deploymentStatus({
      metadata: meta(),
      spec: { replicas: 2 },
      status: { observedGeneration: 2, conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }] },
    });
    expect(s).toEqual({ done: false, failed: true, message: 'deployment "web" exceeded its progress deadline' });
  });
});

describe("statefulSetStatus", () => {
  const sts = (status: object, strategy: object = { type: "RollingUpdate", rollingUpdate: { partition: 0 } }) => ({
    metadata: meta(),
    spec: { replicas: 3, updateStrategy: strategy },
    status,
  });
  it("waits for ready pods, then for the partition's updated pods", () => {
    expect(statefulSetStatus(sts({ observedGeneration: 1 })).message).toBe("Waiting for statefulset spec update to be observed...");
    expect(statefulSetStatus(sts({ observedGeneration: 2, readyReplicas: 1 })).message).toBe("Waiting for 2 pods to be ready...");
    expect(statefulSetStatus(sts({ observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1 })).message).toBe(
      "Waiting for partitioned roll out to finish: 1 out of 3 new pods have been updated...",
    );
    expect(statefulSetStatus(sts({ observedGeneration: 2, readyReplicas: 3, updatedReplicas: 3 }))).toEqual({
      done: true,
      message: "partitioned roll out complete: 3 new pods have been updated...",
    });
  });
  it("without rollingUpdate, compares the current and update revisions; OnDelete has no rollout status", () => {
    const plain = { type: "RollingUpdate" };
    expect(
      statefulSetStatus(sts({ observedGeneration: 2, readyReplicas: 3, updatedReplicas: 1, updateRevision: "web-b", currentRevision: "web-a" }, plain)).done,
    ).toBe(false);
    expect(
      statefulSetStatus(sts({ observedGeneration: 2, readyReplicas: 3, currentReplicas: 3, updateRevision: "web-b", currentRevision: "web-b" }, plain)),
    ).toEqual({
      done: true,
      message: "statefulset rolling update complete 3 pods at revision web-b...",
    });
    expect(statefulSetStatus(sts({ observedGeneration: 2 }, { type: "OnDelete" }))).toMatchObject({ failed: true });
  });
});

describe("daemonSetStatus", () => {
  it("waits for updated, then available pods on every node", () => {
    const ds = (status: object) => ({ metadata: meta(), spec: { updateStrategy: { type: "RollingUpdate" } }, status });
    expect(daemonSetStatus(ds({ observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 1 })).message).toBe(
      'Waiting for daemon set "web" rollout to finish: 1 out of 2 new pods have been updated...',
    );
    expect(daemonSetStatus(ds({ observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 1 })).message).toBe(
      'Waiting for daemon set "web" rollout to finish: 1 of 2 updated pods are available...',
    );
    expect(daemonSetStatus(ds({ observedGeneration: 2, desiredNumberScheduled: 2, updatedNumberScheduled: 2, numberAvailable: 2 })).done).toBe(true);
  });
});

describe("rolloutStatus and selectorString", () => {
  it("a cronjob has no rollout", () => {
    expect(rolloutStatus("cronjob", { metadata: { name: "nightly" } }).done).toBe(true);
  });
  it("writes matchLabels and matchExpressions as LabelSelectorAsSelector does, sorted by key", () => {
    expect(
      selectorString({
        matchLabels: { tier: "web", app: "shop" },
        matchExpressions: [
          { key: "env", operator: "In", values: ["prod", "dev"] },
          { key: "canary", operator: "DoesNotExist" },
          { key: "zone", operator: "Exists" },
          { key: "skip", operator: "NotIn", values: ["x"] },
        ],
      }),
    ).toBe("app=shop,!canary,env in (dev,prod),skip notin (x),tier=web,zone");
  });
});
