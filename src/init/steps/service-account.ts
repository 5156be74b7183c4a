// Step 4: the namespace and the service account, annotated with the identity's client ID (and
// its tenant when that differs from the cluster's). Existing service accounts are merge-patched:
// only the two annotations change, every other label/annotation stays.
import { CancelledError, StepError } from "../../core/errors.js";
import { CLIENT_ID_ANNOTATION, TENANT_ID_ANNOTATION } from "../../core/workload-identity.js";
import { PENDING, clusterTenant, currentIdentity } from "./shared.js";
import type { ServiceAccountInfo } from "../../core/ports.js";
import { defineStep, type PlanBody, type StepContext } from "../step.js";

interface Inspection {
  namespaceExists: boolean;
  sa?: ServiceAccountInfo;
  clientId?: string;
  /** Desired tenant annotation: a value, null to remove a wrong one, undefined to leave alone. */
  tenant?: string | null;
  /** The changes a merge-patch would send (empty: nothing to do). */
  patch: Record<string, string | null>;
  /** Client ID the service account is currently bound to, when it is a different one. */
  boundTo?: string;
}

async function inspect(ctx: StepContext): Promise<Inspection> {
  const { namespace, serviceAccount } = ctx.inputs;
  const kube = await ctx.kube();
  const identity = await currentIdentity(ctx);
  const cTenant = await clusterTenant(ctx);
  const namespaceExists = await kube.namespaceExists(namespace);
  const sa = namespaceExists ? await kube.getServiceAccount(namespace, serviceAccount) : undefined;
  const clientId = identity?.clientId;
  let tenant: string | null | undefined;
  if (identity && cTenant && identity.tenantId.toLowerCase() !== cTenant.toLowerCase()) tenant = identity.tenantId;
  else if (identity && sa?.annotations[TENANT_ID_ANNOTATION] && sa.annotations[TENANT_ID_ANNOTATION] !== identity.tenantId) tenant = null;

  const patch: Record<string, string | null> = {};
  const current = sa?.annotations ?? {};
  if (!clientId || current[CLIENT_ID_ANNOTATION] !== clientId) patch[CLIENT_ID_ANNOTATION] = clientId ?? PENDING;
  if (tenant === null) patch[TENANT_ID_ANNOTATION] = null;
  else if (tenant && current[TENANT_ID_ANNOTATION] !== tenant) patch[TENANT_ID_ANNOTATION] = tenant;
  const existing = current[CLIENT_ID_ANNOTATION];
  // An identity still to be created gets a new client ID, so an SA bound to any other one will be re-bound.
  const boundTo = existing && existing !== PENDING && existing !== clientId ? existing : undefined;
  return { namespaceExists, sa, clientId, tenant, patch, boundTo };
}

/**
 * Re-binding a service account bound to another identity needs --overwrite or a yes at a terminal.
 * Without a terminal it is refused; the plan checks too, so that happens before any change.
 * Returns whether the user must be asked.
 */
function checkRebind(ctx: StepContext, boundTo: string | undefined): boolean {
  if (!boundTo || ctx.inputs.overwrite) return false;
  if (!ctx.ui.interactive) {
    const { namespace, serviceAccount } = ctx.inputs;
    throw new StepError(
      "serviceAccount",
      `service account ${namespace}/${serviceAccount} is already bound to another identity (client ID ${boundTo})`,
      "pass --overwrite to re-bind it, or choose another --service-account",
    );
  }
  return true;
}

export const serviceAccountStep = defineStep({
  name: "serviceAccount",
  title: "Kubernetes service account",

  async plan(ctx) {
    const { namespace, serviceAccount } = ctx.inputs;
    const i = await inspect(ctx);
    const details: Record<string, string> = { namespace, serviceAccount, [CLIENT_ID_ANNOTATION]: i.clientId ?? PENDING };
    if (i.tenant) details[TENANT_ID_ANNOTATION] = i.tenant;
    if (!i.sa) {
      const ns = i.namespaceExists ? "" : ` (and namespace ${namespace})`;
      return { change: "create", summary: `create service account ${namespace}/${serviceAccount}${ns}`, details };
    }
    if (Object.keys(i.patch).length === 0) {
      return { change: "none", summary: `service account ${namespace}/${serviceAccount} already annotated`, details };
    }
    if (i.boundTo) details["currently bound to"] = i.boundTo;
    checkRebind(ctx, i.boundTo);
    const summary = i.boundTo
      ? `re-bind service account ${namespace}/${serviceAccount} from client ID ${i.boundTo} (needs confirmation or --overwrite)`
      : `annotate service account ${namespace}/${serviceAccount}`;
    return { change: "update", summary, details } satisfies PlanBody;
  },

  async apply(ctx) {
    const { namespace, serviceAccount } = ctx.inputs;
    const kube = await ctx.kube();
    const i = await inspect(ctx);
    if (!i.clientId) {
      throw new StepError("serviceAccount", `identity ${ctx.inputs.identity} not found`, "re-run aks-wi init so the identity step creates it");
    }
    let sa = i.sa;
    if (!sa) {
      if (!i.namespaceExists) await kube.createNamespace(namespace);
      const annotations: Record<string, string> = { [CLIENT_ID_ANNOTATION]: i.clientId };
      if (i.tenant) annotations[TENANT_ID_ANNOTATION] = i.tenant;
      sa = await kube.createServiceAccount(namespace, serviceAccount, annotations);
    } else if (Object.keys(i.patch).length > 0) {
      if (checkRebind(ctx, i.boundTo)) {
        const question = `Service account ${namespace}/${serviceAccount} is bound to client ID ${i.boundTo}. Re-bind it to ${i.clientId}? Pods using it will act as the new identity.`;
        if (!(await ctx.ui.confirm(question, { default: false }))) throw new CancelledError(`cancelled: ${namespace}/${serviceAccount} left bound to ${i.boundTo}`);
      }
      sa = await kube.mergeAnnotations(namespace, serviceAccount, i.patch);
    }
    ctx.state.outputs.serviceAccount = { namespace, name: serviceAccount, uid: sa.uid };
  },
});
