// Step 7: a small pod that uses the service account and carries the workload-identity label on
// the pod itself, so the webhook injects the token volume and AZURE_* env. A pod created before
// the annotation (or before workload identity was on) was never mutated: it is recreated. It waits
// for what its mutation needs (workload identity on the cluster, the annotated service account),
// not for the federated credential, which only its token exchange needs: the two run side by side
// after the cluster update, so the pod's start is not added to the credential's write.
import { StepError } from "../../core/errors.js";
import { BINDING_ANNOTATION, MANAGED_BY, USE_LABEL, bindingOf } from "../../core/workload-identity.js";

export { MANAGED_BY };
import { kubePath } from "./shared.js";
import type { PodInfo } from "../../core/ports.js";
import { defineStep, type Operation, type StepContext } from "../step.js";


export const TEST_POD_IMAGE = "mcr.microsoft.com/cbl-mariner/busybox:2.0";
export const POD_RUNNING_TIMEOUT_MS = 120_000;

export function testPodManifest(namespace: string, name: string, serviceAccount: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels: { [USE_LABEL]: "true", [MANAGED_BY.key]: MANAGED_BY.value }, annotations: { [BINDING_ANNOTATION]: bindingOf(namespace, serviceAccount) } },
    spec: {
      serviceAccountName: serviceAccount,
      containers: [
        {
          name: "main",
          image: TEST_POD_IMAGE,
          // Sleeps in short chunks so SIGTERM ends it promptly on delete.
          command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 5 & wait $!; done"],
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 5,
    },
  };
}

/** Why an existing pod is not a usable test pod, or undefined when it is. */
export function podProblem(pod: PodInfo, serviceAccount: string, clientId: string | undefined): string | undefined {
  if (pod.labels[USE_LABEL] !== "true") return `it lacks the label ${USE_LABEL}: "true"`;
  if (pod.serviceAccountName !== serviceAccount) return `it uses service account ${pod.serviceAccountName}`;
  const env = pod.containers.filter((c) => !c.init).map((c) => c.env);
  if (!env.some((e) => e.AZURE_FEDERATED_TOKEN_FILE)) return "the workload identity webhook did not mutate it (created before workload identity or the annotation)";
  if (clientId && !env.some((e) => e.AZURE_CLIENT_ID === clientId)) return "its AZURE_CLIENT_ID is not the identity's client ID (created before the annotation changed)";
  return undefined;
}

/** Creates the pod, waits for it to run, and records it; a pod that runs unmutated is a warning. */
async function createAndWait(run: StepContext, progress: (t: string) => void, warn: (l: string) => void, create: boolean, seenClientId: string | undefined): Promise<void> {
  const { namespace, testPodName, serviceAccount } = run.inputs;
  const kube = await run.kube();
  if (create) await kube.createPod(testPodManifest(namespace, testPodName, serviceAccount));
  progress(`test pod ${namespace}/${testPodName}: waiting for it to be Running`);
  const last = await kube.waitForPodRunning(namespace, testPodName, POD_RUNNING_TIMEOUT_MS);
  if (!last || last.phase !== "Running") {
    throw new StepError(
      "testPod",
      `test pod ${namespace}/${testPodName} is not Running after ${POD_RUNNING_TIMEOUT_MS / 1000}s (phase ${last?.phase ?? "unknown"})`,
      `see why with: kubectl -n ${namespace} describe pod ${testPodName}`,
    );
  }
  const problemAfter = podProblem(last, serviceAccount, run.state.outputs.identity?.clientId ?? seenClientId);
  if (problemAfter) warn(`test pod ${namespace}/${testPodName}: ${problemAfter}`);
  run.state.outputs.testPod = { namespace, name: testPodName, uid: last.uid, phase: last.phase };
}

export const testPodStep = defineStep({
  name: "testPod",
  title: "Test pod",

  async plan(ctx) {
    const { namespace, testPodName, serviceAccount } = ctx.inputs;
    if (!ctx.inputs.testPod) return { change: "none", summary: "test pod skipped", ops: [] };
    const [pod, identity] = await Promise.all([ctx.seen.testPod(), ctx.seen.identity()]);
    // A pod made before the identity exists cannot carry its client ID.
    const problem = pod ? (identity ? podProblem(pod, serviceAccount, identity.clientId) : "it predates the identity") : undefined;
    const details = { pod: `${namespace}/${testPodName}`, serviceAccountName: serviceAccount, label: `${USE_LABEL}: "true"`, image: TEST_POD_IMAGE };
    const target = kubePath(namespace, "pods", testPodName);
    const after = ["cluster", "serviceAccount"];
    const create = (extraAfter: string[]): Operation => ({
      id: "testPod",
      step: "testPod",
      action: "create",
      target,
      summary: `create test pod ${namespace}/${testPodName}`,
      body: testPodManifest(namespace, testPodName, serviceAccount),
      after: [...after, ...extraAfter],
      needs: [
        { plane: "kube", verb: "create", resource: "pods", namespace },
        { plane: "kube", verb: "get", resource: "pods", namespace },
      ],
      run: (run, hooks) => createAndWait(run, hooks.progress, hooks.warn, true, identity?.clientId),
    });
    if (!pod) return { change: "create", summary: `create test pod ${namespace}/${testPodName}`, details, ops: [create([])] };
    if (problem && pod.labels[MANAGED_BY.key] !== MANAGED_BY.value) {
      // Someone else's pod of that name: never deleted. Caught while planning, before any change.
      throw new StepError(
        "testPod",
        `pod ${namespace}/${testPodName} exists and was not made by aks-wi (no ${MANAGED_BY.key}=${MANAGED_BY.value} label), and ${problem}`,
        "leave it alone with --no-test-pod, or delete it yourself and re-run aks-wi init",
      );
    }
    if (problem) {
      const del: Operation = {
        id: "testPod:delete",
        step: "testPod",
        action: "delete",
        target,
        summary: `delete test pod ${namespace}/${testPodName} (${problem})`,
        after,
        needs: [{ plane: "kube", verb: "delete", resource: "pods", namespace }],
        run: async (run) => (await run.kube()).deletePod(namespace, testPodName),
      };
      return { change: "update", summary: `recreate test pod ${namespace}/${testPodName}: ${problem}`, details, ops: [del, create(["testPod:delete"])] };
    }
    if (pod.phase !== "Running") {
      const wait: Operation = {
        id: "testPod",
        step: "testPod",
        action: "wait",
        target,
        summary: `wait for test pod ${namespace}/${testPodName} (${pod.phase}) to be Running`,
        after,
        needs: [{ plane: "kube", verb: "get", resource: "pods", namespace }],
        run: (run, hooks) => createAndWait(run, hooks.progress, hooks.warn, false, identity?.clientId),
      };
      return { change: "update", summary: wait.summary, details, ops: [wait] };
    }
    return {
      change: "none",
      summary: `test pod ${namespace}/${testPodName} is Running`,
      details,
      ops: [],
      record: (out) => void (out.testPod = { namespace, name: testPodName, uid: pod.uid, phase: pod.phase }),
    };
  },
});
