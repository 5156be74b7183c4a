// Delete step 1: the test pod, only when aks-wi made it for this binding (the managed-by label and
// the binding annotation); a pod of that name made by anyone else is left, and the plan says so.
import { kubePath } from "../shared.js";
import { defineStep } from "../../step.js";
import { isOurTestPod, leftDetails } from "./shared.js";

export const deleteTestPodStep = defineStep({
  name: "testPod",
  title: "Test pod",

  async plan(ctx) {
    const { namespace, testPodName } = ctx.inputs;
    const pod = await ctx.seen.testPod();
    const where = `${namespace}/${testPodName}`;
    if (!pod) return { change: "none", summary: `no test pod ${where}`, ops: [] };
    if (!isOurTestPod(ctx, pod)) {
      const why = `pod ${where} was not made by aks-wi for this binding: left as it is`;
      return { change: "none", summary: why, details: leftDetails([why]), ops: [] };
    }
    return {
      change: "delete",
      summary: `delete test pod ${where}`,
      ops: [
        {
          id: "testPod:delete",
          step: "testPod",
          action: "delete",
          target: kubePath(namespace, "pods", testPodName),
          summary: `delete test pod ${where}`,
          after: [],
          needs: [{ plane: "kube", verb: "delete", resource: "pods", namespace }],
          run: async (run) => (await run.kube()).deletePod(namespace, testPodName),
        },
      ],
    };
  },
});
