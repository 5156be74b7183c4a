// Delete step 1: the test pods aks-wi made for this binding, found by their marks (the managed-by
// label and the binding annotation) among the namespace's pods, whatever their name. A pod named
// like the test pod that lacks them was made by someone else: left, and the plan says so.
import { kubePath } from "../shared.js";
import { defineStep, type Operation } from "../../step.js";
import { isOurTestPod, leftDetails, namespacePods } from "./shared.js";

export const deleteTestPodStep = defineStep({
  name: "testPod",
  title: "Test pod",

  async plan(ctx) {
    const { namespace, testPodName } = ctx.inputs;
    const pods = await namespacePods(ctx);
    const ours = pods.filter((p) => isOurTestPod(ctx, p));
    const namesake = pods.find((p) => p.name === testPodName && !isOurTestPod(ctx, p));
    const left = namesake ? [`pod ${namespace}/${testPodName} was not made by aks-wi for this binding: left as it is`] : [];
    const ops: Operation[] = ours.map((pod, n) => ({
      id: n === 0 ? "testPod:delete" : `testPod:delete:${n + 1}`,
      step: "testPod",
      action: "delete",
      target: kubePath(namespace, "pods", pod.name),
      summary: `delete test pod ${namespace}/${pod.name}`,
      after: [],
      needs: [{ plane: "kube", verb: "delete", resource: "pods", namespace }],
      run: async (run) => (await run.kube()).deletePod(namespace, pod.name),
    }));
    if (ops.length === 0) return { change: "none", summary: left[0] ?? `no test pod of this binding in ${namespace}`, details: leftDetails(left), ops };
    return { change: "delete", summary: [ops.map((o) => o.summary).join("; "), ...left].join("; "), details: leftDetails(left), ops };
  },
});
