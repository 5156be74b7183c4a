// Step 4: the namespace and the service account, annotated with the identity's client ID (and
// its tenant when that differs from the cluster's). Existing service accounts are merge-patched:
// only the two annotations change, every other label/annotation stays, and the patch carries the
// resourceVersion the plan read, so a service account changed since then is not overwritten.
import { StepError, UserError } from "../../core/errors.js";
import type { IdentityInfo, ServiceAccountInfo } from "../../core/ports.js";
import { BINDING_ANNOTATION, CLIENT_ID_ANNOTATION, MANAGED_BY, TENANT_ID_ANNOTATION, bindingOf } from "../../core/workload-identity.js";
import { defineStep, type Operation, type Question, type StepContext } from "../step.js";
import { PENDING, kubePath } from "./shared.js";

type Patch = Record<string, string | null>;

/** The merge-patch that makes `sa` carry the identity's annotations ({} when nothing is to change). */
function patchFor(sa: ServiceAccountInfo | undefined, identity: IdentityInfo | undefined, clusterTenant: string | undefined): Patch {
  const current = sa?.annotations ?? {};
  const patch: Patch = {};
  const clientId = identity?.clientId;
  if (!clientId || current[CLIENT_ID_ANNOTATION] !== clientId) patch[CLIENT_ID_ANNOTATION] = clientId ?? PENDING;
  if (identity && clusterTenant && identity.tenantId.toLowerCase() !== clusterTenant.toLowerCase()) {
    if (current[TENANT_ID_ANNOTATION] !== identity.tenantId) patch[TENANT_ID_ANNOTATION] = identity.tenantId;
  } else if (identity && current[TENANT_ID_ANNOTATION] && current[TENANT_ID_ANNOTATION] !== identity.tenantId) {
    patch[TENANT_ID_ANNOTATION] = null;
  }
  return patch;
}

/** Re-binding a service account bound to another identity needs --overwrite or a yes at a terminal. */
function rebindQuestion(ctx: StepContext, boundTo: string, clientId: string | undefined): Question {
  const { namespace, serviceAccount } = ctx.inputs;
  return {
    text: `Service account ${namespace}/${serviceAccount} is bound to client ID ${boundTo}. Re-bind it to ${clientId ?? `the new identity ${ctx.inputs.identity}`}? Pods using it will act as the new identity.`,
    flag: "overwrite",
    refusal: new UserError(
      `service account ${namespace}/${serviceAccount} is already bound to another identity (client ID ${boundTo})`,
      "pass --overwrite to re-bind it, or choose another --service-account",
    ),
  };
}

/** The identity as the run knows it by now: made by an earlier operation, or seen by the plan. */
function identityNow(ctx: StepContext, seen: IdentityInfo | undefined): IdentityInfo {
  const id = ctx.state.outputs.identity ?? seen;
  if (!id?.clientId) throw new StepError("serviceAccount", `identity ${ctx.inputs.identity} not found`, "re-run aks-wi init so the identity step creates it");
  return id;
}

export const serviceAccountStep = defineStep({
  name: "serviceAccount",
  title: "Kubernetes service account",

  async plan(ctx) {
    const { namespace, serviceAccount } = ctx.inputs;
    const [identity, tenant, sa, nsExists] = await Promise.all([ctx.seen.identity(), ctx.seen.tenant(), ctx.seen.serviceAccount(), ctx.seen.namespaceExists()]);
    const patch = patchFor(sa, identity, tenant);
    const binding = bindingOf(namespace, serviceAccount);
    const details: Record<string, string> = { namespace, serviceAccount, [CLIENT_ID_ANNOTATION]: identity?.clientId ?? PENDING };
    if (typeof patch[TENANT_ID_ANNOTATION] === "string") details[TENANT_ID_ANNOTATION] = patch[TENANT_ID_ANNOTATION]!;
    const record = (uid: string | undefined) => (out: StepContext["state"]["outputs"]) => void (out.serviceAccount = { namespace, name: serviceAccount, uid });

    if (sa && Object.keys(patch).length === 0) {
      return { change: "none", summary: `service account ${namespace}/${serviceAccount} already annotated`, details, ops: [], record: record(sa.uid) };
    }
    const ops: Operation[] = [];
    if (!nsExists) {
      ops.push({
        id: "namespace",
        step: "serviceAccount",
        action: "create",
        target: kubePath(namespace, "namespaces"),
        summary: `create namespace ${namespace}`,
        body: { metadata: { name: namespace, labels: { [MANAGED_BY.key]: MANAGED_BY.value } } },
        after: [],
        afterAccepted: ["cluster"],
        needs: [{ plane: "kube", verb: "create", resource: "namespaces" }],
        // Labelled as aks-wi's own: a namespace it made is the only kind it may ever remove.
        run: async (run) => (await run.kube()).createNamespace(namespace, { [MANAGED_BY.key]: MANAGED_BY.value }),
      });
    }
    if (!sa) {
      ops.push({
        id: "serviceAccount",
        step: "serviceAccount",
        action: "create",
        target: kubePath(namespace, "serviceaccounts", serviceAccount),
        summary: `create service account ${namespace}/${serviceAccount}`,
        body: {
          metadata: {
            name: serviceAccount,
            namespace,
            annotations: { ...patch, [BINDING_ANNOTATION]: binding },
            labels: { [MANAGED_BY.key]: MANAGED_BY.value },
          },
        },
        after: nsExists ? ["identity"] : ["identity", "namespace"],
        afterAccepted: ["cluster"],
        needs: [{ plane: "kube", verb: "create", resource: "serviceaccounts", namespace }],
        async run(run) {
          const annotations = { ...(patchFor(undefined, identityNow(run, identity), tenant) as Record<string, string>), [BINDING_ANNOTATION]: binding };
          const made = await (await run.kube()).createServiceAccount(namespace, serviceAccount, annotations, { [MANAGED_BY.key]: MANAGED_BY.value });
          record(made.uid)(run.state.outputs);
        },
      });
      const ns = nsExists ? "" : ` (and namespace ${namespace})`;
      const drift = [nsExists ? `service account ${namespace}/${serviceAccount} does not exist` : `namespace ${namespace} does not exist`];
      return { change: "create", drift, summary: `create service account ${namespace}/${serviceAccount}${ns}`, details, ops };
    }

    const existing = sa.annotations[CLIENT_ID_ANNOTATION];
    // An identity still to be created gets a new client ID, so an SA bound to any other one will be re-bound.
    const boundTo = existing && existing !== PENDING && existing !== identity?.clientId ? existing : undefined;
    if (boundTo) details["currently bound to"] = boundTo;
    ops.push({
      id: "serviceAccount",
      step: "serviceAccount",
      action: "update",
      target: kubePath(namespace, "serviceaccounts", sa.name),
      summary: boundTo
        ? `re-bind service account ${namespace}/${serviceAccount} from client ID ${boundTo}`
        : `annotate service account ${namespace}/${serviceAccount}`,
      body: { metadata: { annotations: { ...patch, [BINDING_ANNOTATION]: binding }, resourceVersion: sa.resourceVersion } },
      after: ["identity"],
      afterAccepted: ["cluster"],
      needs: [{ plane: "kube", verb: "patch", resource: "serviceaccounts", namespace }],
      question: boundTo ? rebindQuestion(ctx, boundTo, identity?.clientId) : undefined,
      async run(run) {
        // The binding annotation, but not the managed-by label: aks-wi annotated this service
        // account, it did not make it, so it must never delete it.
        const now = { ...patchFor(sa, identityNow(run, identity), tenant), [BINDING_ANNOTATION]: binding };
        const made = await (await run.kube()).mergeAnnotations(namespace, serviceAccount, now, sa.resourceVersion);
        record(made.uid)(run.state.outputs);
      },
    });
    const summary = boundTo
      ? `re-bind service account ${namespace}/${serviceAccount} from client ID ${boundTo} (needs confirmation or --overwrite)`
      : `annotate service account ${namespace}/${serviceAccount}`;
    const drift = Object.entries(patch).map(([k, v]) => {
      const now = sa.annotations[k];
      return v === null
        ? `annotation ${k} is "${now}" and should not be there`
        : now === undefined
          ? `annotation ${k} is missing (want "${v}")`
          : `annotation ${k} is "${now}" (want "${v}")`;
    });
    return { change: "update", drift, summary, details, ops };
  },
});
