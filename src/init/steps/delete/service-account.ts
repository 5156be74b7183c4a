// Delete step 4: the service account and its namespace. aks-wi's marks decide what happens:
// - a service account without this binding's aks-wi/binding annotation was not set up by aks-wi
//   for this binding: left exactly as it is;
// - one aks-wi made (the managed-by label) that no pod other than the test pod uses: deleted;
// - any other (made by the user, or still used by a pod): only the annotations aks-wi put on it
//   are removed (client-id and tenant-id while they still name this identity, and the binding);
// - the namespace, only when aks-wi made it (the managed-by label) and it holds nothing else once
//   the test pod and the service account are gone (listNamespaceObjects: what every namespace
//   holds - its "default" service account, the kube-root-ca.crt config map - does not count).
import type { Operation } from "../../step.js";
import { defineStep } from "../../step.js";
import { kubePath } from "../shared.js";
import { BINDING_ANNOTATION, CLIENT_ID_ANNOTATION, MANAGED_BY, TENANT_ID_ANNOTATION, bindingOf } from "../../../core/workload-identity.js";
import { isOurTestPod, leftDetails, namespacePods } from "./shared.js";

/** What Kubernetes puts in every namespace: never a reason to keep one. */
const ALWAYS_THERE = new Set(["serviceaccounts/default", "configmaps/kube-root-ca.crt"]);
const isOurs = (labels: Record<string, string>) => labels[MANAGED_BY.key] === MANAGED_BY.value;

export const deleteServiceAccountStep = defineStep({
  name: "serviceAccount",
  title: "Kubernetes service account",

  async plan(ctx) {
    const { namespace, serviceAccount } = ctx.inputs;
    const where = `${namespace}/${serviceAccount}`;
    const kube = await ctx.kube();
    const [sa, identity, ns] = await Promise.all([ctx.seen.serviceAccount(), ctx.seen.identity(), kube.getNamespace(namespace)]);
    if (!ns) return { change: "none", summary: `namespace ${namespace} does not exist`, ops: [] };
    // The test pods the test pod step deletes first.
    const pods = await namespacePods(ctx);
    const testPods = pods.filter((p) => isOurTestPod(ctx, p)).map((p) => p.name);
    const ops: Operation[] = [];
    const left: string[] = [];
    let saGoes = false;

    const bound = sa?.annotations[BINDING_ANNOTATION] === bindingOf(namespace, serviceAccount);
    if (!sa) {
      // Nothing to do for it (a re-run after a delete, or it never existed).
    } else if (!bound) {
      left.push(`service account ${where} carries no aks-wi/binding annotation for this binding: left as it is`);
    } else {
      const users = isOurs(sa.labels) ? pods.filter((p) => p.serviceAccountName === serviceAccount && !testPods.includes(p.name)) : [];
      if (isOurs(sa.labels) && users.length === 0) {
        saGoes = true;
        ops.push({
          id: "serviceAccount:delete",
          step: "serviceAccount",
          action: "delete",
          target: kubePath(namespace, "serviceaccounts", serviceAccount),
          summary: `delete service account ${where}`,
          after: ["testPod"],
          needs: [{ plane: "kube", verb: "delete", resource: "serviceaccounts", namespace }],
          run: async (run) => (await run.kube()).deleteServiceAccount(namespace, serviceAccount),
        });
      } else {
        // Client ID and tenant only while they are still this identity's: a re-bind since is not ours to undo.
        const clientId = sa.annotations[CLIENT_ID_ANNOTATION];
        const ourClientId = clientId !== undefined && (!identity || clientId === identity.clientId);
        const patch: Record<string, null> = { [BINDING_ANNOTATION]: null };
        if (ourClientId) {
          patch[CLIENT_ID_ANNOTATION] = null;
          if (TENANT_ID_ANNOTATION in sa.annotations) patch[TENANT_ID_ANNOTATION] = null;
        }
        const why = isOurs(sa.labels)
          ? `service account ${where} is still used by ${users.map((p) => `pod ${p.name}`).join(", ")}: only its annotations are removed`
          : `service account ${where} made by you: only its annotations are removed`;
        left.push(why);
        ops.push({
          id: "serviceAccount:annotations",
          step: "serviceAccount",
          action: "update",
          target: kubePath(namespace, "serviceaccounts", serviceAccount),
          summary: `remove ${Object.keys(patch).join(", ")} from service account ${where}`,
          body: { metadata: { annotations: patch, resourceVersion: sa.resourceVersion } },
          after: ["testPod"],
          needs: [{ plane: "kube", verb: "patch", resource: "serviceaccounts", namespace }],
          run: async (run) => void (await (await run.kube()).mergeAnnotations(namespace, serviceAccount, patch, sa.resourceVersion)),
        });
      }
    }

    if (!isOurs(ns.labels)) {
      left.push(`namespace ${namespace} was not made by aks-wi: left`);
    } else {
      const gone = new Set([...ALWAYS_THERE, ...(saGoes ? [`serviceaccounts/${serviceAccount}`] : []), ...testPods.map((n) => `pods/${n}`)]);
      const rest = (await kube.listNamespaceObjects(namespace)).filter((o) => !gone.has(o));
      if (rest.length) {
        const shown = rest.slice(0, 3).join(", ") + (rest.length > 3 ? ` and ${rest.length - 3} more` : "");
        left.push(`namespace ${namespace} holds other objects (${shown}): left`);
      } else {
        ops.push({
          id: "namespace:delete",
          step: "serviceAccount",
          action: "delete",
          target: kubePath(namespace, "namespaces"),
          summary: `delete namespace ${namespace} (made by aks-wi, holds nothing else)`,
          after: ["testPod", ...ops.map((o) => o.id)],
          needs: [{ plane: "kube", verb: "delete", resource: "namespaces" }],
          run: async (run) => (await run.kube()).deleteNamespace(namespace),
        });
      }
    }

    const details = leftDetails(left);
    if (ops.length === 0) return { change: "none", summary: left[0] ?? `nothing of ${where} to remove`, details, ops };
    const change = ops.some((o) => o.action === "delete") ? "delete" : "update";
    const summary = [...ops.filter((o) => o.action === "delete").map((o) => o.summary), ...left].join("; ");
    return { change, summary, details, ops };
  },
});
