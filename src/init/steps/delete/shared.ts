// What the delete steps share: how each tells what aks-wi made for this binding (its marks, see
// src/core/workload-identity.ts) from what someone else made, and how a plan says what it leaves.
import type { FederatedCredentialInfo, IdentityInfo, PodInfo, RoleAssignmentInfo } from "../../../core/ports.js";
import { madeForBinding, roleAssignmentDescription, serviceAccountSubject, taggedByAksWi } from "../../../core/workload-identity.js";
import type { StepContext } from "../../step.js";

/** The prefix of the credential names aks-wi chooses (`aks-wi-<namespace>-<service account>`). */
export const CREDENTIAL_NAME_PREFIX = "aks-wi-";

/** The details key of what a step leaves and why; the command's summary lists these as "left". */
export const LEFT = "left";

/** Details naming each thing a step leaves ("left", "left 2", …). */
export function leftDetails(reasons: string[]): Record<string, string> {
  return Object.fromEntries(reasons.map((r, i) => [i === 0 ? LEFT : `${LEFT} ${i + 1}`, r]));
}

/** Whether a details key names something left. */
export const isLeftKey = (k: string) => k === LEFT || k.startsWith(`${LEFT} `);

/** A test pod aks-wi made for this binding: its label and its binding annotation. */
export function isOurTestPod(ctx: StepContext, pod: PodInfo | undefined): pod is PodInfo {
  return !!pod && madeForBinding(pod, ctx.inputs.namespace, ctx.inputs.serviceAccount);
}

const podLists = new WeakMap<object, Promise<PodInfo[]>>();

/** Every pod of the binding's namespace, listed once per plan (the test pod and service account
 *  steps both need them): aks-wi's test pods are found by their marks whatever their name (init
 *  names one `aks-wi-test`, apply `aks-wi-test-<service account>`). */
export function namespacePods(ctx: StepContext): Promise<PodInfo[]> {
  let p = podLists.get(ctx.seen);
  if (!p) {
    p = (async () => ((await ctx.seen.namespaceExists()) ? (await ctx.kube()).listPods(ctx.inputs.namespace) : []))();
    podLists.set(ctx.seen, p);
  }
  return p;
}

/** Whether ARM's tags mark the identity as made by aks-wi (tag names are case-insensitive in Azure). */
export function isOurIdentity(id: IdentityInfo): boolean {
  return taggedByAksWi(id.tags);
}

/**
 * The identity's federated credentials that trust this binding (the cluster's issuer and the
 * service account's subject), split into aks-wi's and the others. A credential carries no tag or
 * description, so its name is the one mark aks-wi controls: aks-wi's own is named as the binding's
 * --federated-credential says (the state file keeps it) or with aks-wi's `aks-wi-` prefix (the
 * default, `aks-wi-<namespace>-<service account>`). The issuer and subject must match too, so a
 * same-named credential of another cluster or service account is never touched.
 */
export async function bindingCredentials(
  ctx: StepContext,
): Promise<{ ours: FederatedCredentialInfo[]; others: FederatedCredentialInfo[]; all: FederatedCredentialInfo[] }> {
  const [cluster, all] = await Promise.all([ctx.seen.cluster(), ctx.seen.federatedCredentials()]);
  const subject = serviceAccountSubject(ctx.inputs.namespace, ctx.inputs.serviceAccount);
  const trusts = all.filter((fc) => !!cluster.issuerUrl && fc.issuer === cluster.issuerUrl && fc.subject === subject);
  const named = (fc: FederatedCredentialInfo) =>
    fc.name.toLowerCase() === ctx.inputs.federatedCredential.toLowerCase() || fc.name.toLowerCase().startsWith(CREDENTIAL_NAME_PREFIX);
  return { ours: trusts.filter(named), others: trusts.filter((fc) => !named(fc)), all };
}

/** What every description of a role assignment aks-wi made starts with (then the binding's NS/SA). */
const MADE_BY_AKS_WI = roleAssignmentDescription("", "").slice(0, -1);

/** The binding (NS/SA) an assignment aks-wi made names in its description; undefined for any other. */
export const bindingOfAssignment = (a: RoleAssignmentInfo) =>
  a.description?.startsWith(MADE_BY_AKS_WI) ? a.description.slice(MADE_BY_AKS_WI.length) : undefined;

/** What the plan knows of the identity's role assignments: this binding's (by their description), the
 *  other bindings' aks-wi made, and the rest (made by hand or by another tool). */
export async function bindingAssignments(
  ctx: StepContext,
): Promise<{ ours: RoleAssignmentInfo[]; otherBindings: RoleAssignmentInfo[]; others: RoleAssignmentInfo[] }> {
  const mark = roleAssignmentDescription(ctx.inputs.namespace, ctx.inputs.serviceAccount);
  const all = await ctx.seen.roleAssignments();
  const madeByUs = (a: RoleAssignmentInfo) => !!a.description?.startsWith(MADE_BY_AKS_WI);
  return {
    ours: all.filter((a) => a.description === mark),
    otherBindings: all.filter((a) => madeByUs(a) && a.description !== mark),
    others: all.filter((a) => !madeByUs(a)),
  };
}

/** The identity's federated credentials other than this binding's own: while there is one, the
 *  identity is in use by someone else. */
export async function otherCredentials(ctx: StepContext): Promise<FederatedCredentialInfo[]> {
  const { ours, all } = await bindingCredentials(ctx);
  return all.filter((fc) => !ours.some((o) => o.id.toLowerCase() === fc.id.toLowerCase()));
}
