// Step 8: a small pod that uses the service account and carries the workload-identity label on
// the pod itself, so the webhook injects the token volume and AZURE_* env. A pod created before
// the annotation (or before workload identity was on) was never mutated: it is recreated. It waits
// for what its mutation needs (workload identity on the cluster, the annotated service account),
// not for the federated credential, which only its token exchange needs: the two run side by side
// after the cluster update, so the pod's start is not added to the credential's write.
// The pod is fit for hardened clusters: Pod Security "restricted" (non-root, no privilege
// escalation, no capabilities, RuntimeDefault seccomp, read-only root), AKS Automatic's
// safeguards (a readiness probe, requests and limits), and a wait long enough for a node to be
// made, which says why when the pod does not start.
import { StepError } from "../../core/errors.js";
import { BINDING_ANNOTATION, MANAGED_BY, USE_LABEL, bindingOf, madeForBinding } from "../../core/workload-identity.js";

export { MANAGED_BY };
import { kubePath } from "./shared.js";
import type { PodInfo } from "../../core/ports.js";
import { defineStep, type Operation, type StepContext, type StepPlan } from "../step.js";

/** Azure Linux 3.0 busybox, as the AKS docs use it today (azure-aks-docs articles/aks/node-access.md:
 *  `kubectl debug node/… --image=mcr.microsoft.com/azurelinux/busybox:1.36`); the Azure Linux 2.0
 *  (cbl-mariner) image is retired. It has sh, env and cat, which verify runs in the pod. MCR is on
 *  AKS's required egress list; a registry that mirrors images is named with --test-pod-image. */
export const TEST_POD_IMAGE = "mcr.microsoft.com/azurelinux/busybox:1.36";
/** Long enough for node auto-provisioning or a scale-up from zero to give the pod a node. */
export const POD_RUNNING_TIMEOUT_MS = 300_000;
/** busybox's "nobody": any non-root UID works, the image needs no user of its own. */
const NOBODY = 65534;

export function testPodManifest(namespace: string, name: string, serviceAccount: string, image = TEST_POD_IMAGE): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace,
      labels: { [USE_LABEL]: "true", [MANAGED_BY.key]: MANAGED_BY.value },
      annotations: { [BINDING_ANNOTATION]: bindingOf(namespace, serviceAccount) },
    },
    spec: {
      serviceAccountName: serviceAccount,
      securityContext: { runAsNonRoot: true, runAsUser: NOBODY, runAsGroup: NOBODY, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "main",
          image,
          // Sleeps in short chunks so SIGTERM ends it promptly on delete.
          command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 5 & wait $!; done"],
          // Ready once the webhook's token file is there (or when nothing was injected: the step says so).
          readinessProbe: {
            exec: { command: ["sh", "-c", 'test -z "$AZURE_FEDERATED_TOKEN_FILE" || test -s "$AZURE_FEDERATED_TOKEN_FILE"'] },
            initialDelaySeconds: 1,
            periodSeconds: 5,
            timeoutSeconds: 2,
          },
          resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            runAsUser: NOBODY,
            seccompProfile: { type: "RuntimeDefault" },
          },
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 5,
    },
  };
}

/** The last thing the scheduler or kubelet said about a pod that does not run: a waiting
 *  container's reason, else a condition that is not True, else only its phase. */
export function whyNotRunning(pod: PodInfo | undefined): string {
  if (!pod) return "the pod was not found";
  const w = pod.waiting?.[0];
  if (w) return `container ${w.container} is waiting: ${w.reason}${w.message ? ` (${w.message})` : ""}`;
  const c = pod.conditions?.find((x) => x.reason || x.message) ?? pod.conditions?.[0];
  if (c) return `${c.type} is ${c.status}${c.reason ? `: ${c.reason}` : ""}${c.message ? ` (${c.message})` : ""}`;
  return `phase ${pod.phase}`;
}

/** Why an existing pod is not a usable test pod, or undefined when it is. */
export function podProblem(pod: PodInfo, serviceAccount: string, clientId: string | undefined): string | undefined {
  if (pod.labels[USE_LABEL] !== "true") return `it lacks the label ${USE_LABEL}: "true"`;
  if (pod.serviceAccountName !== serviceAccount) return `it uses service account ${pod.serviceAccountName}`;
  const env = pod.containers.filter((c) => !c.init).map((c) => c.env);
  if (!env.some((e) => e.AZURE_FEDERATED_TOKEN_FILE))
    return "the workload identity webhook did not mutate it (created before workload identity or the annotation)";
  if (clientId && !env.some((e) => e.AZURE_CLIENT_ID === clientId))
    return "its AZURE_CLIENT_ID is not the identity's client ID (created before the annotation changed)";
  return undefined;
}

/** Creates the pod, waits for it to run, and records it; a pod that runs unmutated is a warning. */
async function createAndWait(
  run: StepContext,
  progress: (t: string) => void,
  warn: (l: string) => void,
  create: boolean,
  seenClientId: string | undefined,
): Promise<void> {
  const { namespace, testPodName, serviceAccount, testPodImage } = run.inputs;
  const kube = await run.kube();
  if (create) await kube.createPod(testPodManifest(namespace, testPodName, serviceAccount, testPodImage));
  progress(`test pod ${namespace}/${testPodName}: waiting up to ${POD_RUNNING_TIMEOUT_MS / 1000} s for it to be Running (a new node can take minutes)`);
  const last = await kube.waitForPodRunning(namespace, testPodName, POD_RUNNING_TIMEOUT_MS);
  if (!last || last.phase !== "Running") {
    const pulling = last?.waiting?.some((w) => /ImagePull|ErrImage/.test(w.reason));
    throw new StepError(
      "testPod",
      `test pod ${namespace}/${testPodName} is not Running after ${POD_RUNNING_TIMEOUT_MS / 1000} s (phase ${last?.phase ?? "unknown"}): ${whyNotRunning(last)}`,
      pulling
        ? `the image ${testPodImage ?? TEST_POD_IMAGE} cannot be pulled: mirror it and pass --test-pod-image (AKS_WI_TEST_POD_IMAGE), or see kubectl -n ${namespace} describe pod ${testPodName}`
        : `see the events with: kubectl -n ${namespace} describe pod ${testPodName}`,
    );
  }
  const problemAfter = podProblem(last, serviceAccount, run.state.outputs.identity?.clientId ?? seenClientId);
  if (problemAfter) warn(`test pod ${namespace}/${testPodName}: ${problemAfter}`);
  run.state.outputs.testPod = { namespace, name: testPodName, uid: last.uid, phase: last.phase };
}

/** No test pod wanted: one aks-wi made for this binding (by its label and annotation) is deleted. */
async function prunePlan(ctx: StepContext): Promise<Omit<StepPlan, "step">> {
  const { namespace, testPodName, serviceAccount } = ctx.inputs;
  const pod = await ctx.seen.testPod();
  if (!pod || !madeForBinding(pod, namespace, serviceAccount)) return { change: "none", summary: "test pod skipped", ops: [] };
  const summary = `delete test pod ${namespace}/${testPodName} (made by aks-wi for this binding; no test pod is wanted now)`;
  return {
    change: "delete",
    summary,
    drift: [`test pod ${namespace}/${testPodName} exists and no test pod is wanted`],
    ops: [
      {
        id: "testPod:delete",
        step: "testPod",
        action: "delete",
        target: kubePath(namespace, "pods", testPodName),
        summary: `delete test pod ${namespace}/${testPodName}`,
        after: [],
        afterAccepted: ["cluster"],
        needs: [{ plane: "kube", verb: "delete", resource: "pods", namespace }],
        run: async (run) => {
          await (await run.kube()).deletePod(namespace, testPodName);
          delete run.state.outputs.testPod;
        },
      },
    ],
  };
}

export const testPodStep = defineStep({
  name: "testPod",
  title: "Test pod",

  async plan(ctx) {
    const { namespace, testPodName, serviceAccount } = ctx.inputs;
    if (!ctx.inputs.testPod) return prunePlan(ctx);
    const [pod, identity] = await Promise.all([ctx.seen.testPod(), ctx.seen.identity()]);
    // A pod made before the identity exists cannot carry its client ID.
    const problem = pod ? (identity ? podProblem(pod, serviceAccount, identity.clientId) : "it predates the identity") : undefined;
    const image = ctx.inputs.testPodImage ?? TEST_POD_IMAGE;
    const details = { pod: `${namespace}/${testPodName}`, serviceAccountName: serviceAccount, label: `${USE_LABEL}: "true"`, image };
    const target = kubePath(namespace, "pods", testPodName);
    const after = ["cluster", "serviceAccount"];
    const create = (extraAfter: string[]): Operation => ({
      id: "testPod",
      step: "testPod",
      action: "create",
      target,
      summary: `create test pod ${namespace}/${testPodName}`,
      body: testPodManifest(namespace, testPodName, serviceAccount, image),
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
