// Step 7: the user's own workloads (--workload KIND/NAME), made to run as the service account.
// The label the webhook selects by goes on the pod *template* (on the Deployment itself it does
// nothing: the classic mistake), with the template's serviceAccountName, in one strategic-merge
// patch of the template alone; the same patch sets the annotation `kubectl rollout restart` sets
// (kubectl/pkg/polymorphichelpers/objectrestarter.go: spec.template.metadata.annotations
// ["kubectl.kubernetes.io/restartedAt"] = time.Now().Format(time.RFC3339)), so the controller
// replaces every pod. Then it waits as `kubectl rollout status` waits and checks that the new pods
// were mutated. A workload already wired whose pods predate the annotation (made before the
// service account had this client ID, or before workload identity) is only restarted.
import { StepError, UserError } from "../../core/errors.js";
import type { IdentityInfo, PodInfo, PodTemplatePatch, ServiceAccountInfo, WorkloadInfo, WorkloadKind } from "../../core/ports.js";
import { CLIENT_ID_ANNOTATION, USE_LABEL } from "../../core/workload-identity.js";
import { defineStep, type Operation, type Question, type StepContext } from "../step.js";
import { PENDING } from "./shared.js";
import { podProblem } from "./test-pod.js";

/** The pod-template annotation `kubectl rollout restart` sets to restart a workload. */
export const RESTARTED_AT = "kubectl.kubernetes.io/restartedAt";
/** As long as the test pod's wait: new pods may need a new node. */
export const ROLLOUT_TIMEOUT_MS = 300_000;

const JOB_DOCS = "https://kubernetes.io/docs/concepts/workloads/controllers/job/#mutable-scheduling-directives";

const API: Record<WorkloadKind, { group: string; plural: string }> = {
  deployment: { group: "apps", plural: "deployments" },
  statefulset: { group: "apps", plural: "statefulsets" },
  daemonset: { group: "apps", plural: "daemonsets" },
  cronjob: { group: "batch", plural: "cronjobs" },
};

/** Go's time.Now().Format(time.RFC3339) in UTC: seconds, no fraction. */
export function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, "Z");
}

export function workloadPath(namespace: string, kind: WorkloadKind, name: string): string {
  return `/apis/${API[kind].group}/v1/namespaces/${namespace}/${API[kind].plural}/${name}`;
}

/** KIND/NAME as validated by validateWorkload; a Job is refused here, with why and what to do. */
export function parseWorkload(ref: string, namespace: string): { kind: WorkloadKind; name: string } {
  const [kind, name] = [ref.slice(0, ref.indexOf("/")), ref.slice(ref.indexOf("/") + 1)];
  if (kind === "job") {
    throw new UserError(
      `--workload ${ref}: a Job's pod template cannot be changed once the Job exists (only a suspended Job's scheduling directives may change: ${JOB_DOCS}), so its pods cannot be wired`,
      `set serviceAccountName and the label ${USE_LABEL}: "true" in the Job's pod template and create it again (kubectl -n ${namespace} delete job ${name}, then apply), or name the CronJob that makes it`,
    );
  }
  return { kind: kind as WorkloadKind, name };
}

/** What a workload needs: its template wired and its pods replaced, or only its pods replaced. */
interface Need {
  ref: string;
  workload: WorkloadInfo;
  /** The template's label or serviceAccountName is not yet right. */
  template: boolean;
  /** Why its pods must be replaced (undefined: they need not be). */
  stale?: string;
  /** The service account it runs under now, when that is another one than "default" or ours. */
  otherServiceAccount?: string;
}

/** Why the running pods cannot act as the identity now: undefined when every one can. */
function stalePods(all: PodInfo[], serviceAccount: string, annotated: boolean, clientId: string | undefined): string | undefined {
  // Pods of an earlier rollout still terminating are on their way out: they need no restart.
  const pods = all.filter((p) => !p.deleting);
  if (pods.length === 0) return undefined;
  if (!annotated) return "its pods predate the service account's client-id annotation";
  const bad = pods.filter((p) => podProblem(p, serviceAccount, clientId));
  if (bad.length === 0) return undefined;
  return `${bad.length} of ${pods.length} pods predate the annotation (${podProblem(bad[0]!, serviceAccount, clientId)})`;
}

function needOf(ref: string, w: WorkloadInfo, pods: PodInfo[], serviceAccount: string, annotated: boolean, clientId: string | undefined): Need {
  const template = w.templateLabels[USE_LABEL] !== "true" || w.serviceAccountName !== serviceAccount;
  const other = w.serviceAccountName !== serviceAccount && w.serviceAccountName !== "default" ? w.serviceAccountName : undefined;
  // A CronJob has no pods of its own to restart: its next Job is made from the new template.
  const stale = w.kind === "cronjob" || template ? undefined : stalePods(pods, serviceAccount, annotated, clientId);
  return { ref, workload: w, template, stale, otherServiceAccount: other };
}

function overwriteQuestion(ctx: StepContext, n: Need): Question {
  const { namespace, serviceAccount } = ctx.inputs;
  const what = `${n.ref} in ${namespace}`;
  return {
    text: `${what} runs as service account ${n.otherServiceAccount}. Switch it to ${serviceAccount}? Its pods will act as identity ${ctx.inputs.identity} and lose what ${n.otherServiceAccount} could do.`,
    flag: "overwrite",
    refusal: new UserError(
      `${what} runs as another service account (${n.otherServiceAccount}), not ${serviceAccount}`,
      `pass --overwrite to switch it to ${serviceAccount}, or leave it out of --workload; nothing was changed`,
    ),
  };
}

/** What kubectl would refuse, or a rollout that could never replace the pods: stopped in the plan. */
function assertRestartable(n: Need, namespace: string): void {
  const { kind, name } = n.workload;
  if (kind === "deployment" && n.workload.paused) {
    throw new UserError(
      `deployment ${namespace}/${name} is paused: its pods would not be replaced (kubectl rollout restart refuses it too)`,
      `resume it first (kubectl -n ${namespace} rollout resume deployment/${name}), or leave it out of --workload`,
    );
  }
  if (n.workload.updateStrategy === "OnDelete") {
    throw new UserError(
      `${kind} ${namespace}/${name} has updateStrategy OnDelete: a changed template replaces none of its pods, so they would stay unmutated`,
      `switch it to RollingUpdate (kubectl -n ${namespace} patch ${kind} ${name} -p '{"spec":{"updateStrategy":{"type":"RollingUpdate"}}}'), or leave it out of --workload`,
    );
  }
}

/** Pods made from the patched template carry its restartedAt value: the others are old or another workload's. */
function newPods(pods: PodInfo[], at: string): PodInfo[] {
  return pods.filter((p) => !p.deleting && p.annotations[RESTARTED_AT] === at);
}

/** The identity's client ID as the run knows it by now (made by an earlier operation, or seen by the plan). */
const clientIdNow = (run: StepContext, seen: IdentityInfo | undefined) => run.state.outputs.identity?.clientId ?? seen?.clientId;

function operation(ctx: StepContext, n: Need, identity: IdentityInfo | undefined): Operation {
  const { namespace, serviceAccount } = ctx.inputs;
  const { kind, name } = n.workload;
  const restart = kind !== "cronjob";
  const patch = (at: string): PodTemplatePatch => ({
    ...(n.template ? { labels: { [USE_LABEL]: "true" }, serviceAccountName: serviceAccount } : {}),
    ...(restart ? { annotations: { [RESTARTED_AT]: at } } : {}),
  });
  const template = templateBody(patch(PENDING));
  const shown = kind === "cronjob" ? { spec: { jobTemplate: { spec: { template } } } } : { spec: { template } };
  const needs: Operation["needs"] = [
    { plane: "kube", verb: "patch", resource: `${API[kind].plural}.${API[kind].group}`, namespace },
    ...(restart
      ? ([
          { plane: "kube", verb: "get", resource: `${API[kind].plural}.${API[kind].group}`, namespace },
          { plane: "kube", verb: "list", resource: "pods", namespace },
        ] as Operation["needs"])
      : []),
  ];
  return {
    id: `workload:${n.ref}`,
    step: "workloads",
    action: "update",
    target: workloadPath(namespace, kind, name),
    summary: n.template ? `wire ${n.ref}${restart ? " and restart it" : ""}` : `restart ${n.ref} (${n.stale})`,
    body: shown,
    // New pods must find the annotated service account, the webhook on, and a credential to
    // exchange their token for at once.
    after: ["cluster", "serviceAccount", "federatedCredential"],
    needs,
    question: n.otherServiceAccount && n.template ? overwriteQuestion(ctx, n) : undefined,
    async run(run, hooks) {
      const kube = await run.kube();
      const at = rfc3339(new Date());
      await kube.patchWorkloadTemplate(namespace, kind, name, patch(at));
      if (!restart) {
        hooks.progress(`${n.ref}: pod template wired; the next job it starts runs as ${serviceAccount}`);
        return;
      }
      hooks.progress(`${n.ref}: waiting up to ${ROLLOUT_TIMEOUT_MS / 1000} s for the rollout`);
      const status = await kube.waitForRollout(namespace, kind, name, ROLLOUT_TIMEOUT_MS, (m) => hooks.progress(`${n.ref}: ${m}`));
      if (!status.done) {
        throw new StepError(
          "workloads",
          `${n.ref} in ${namespace} did not finish its rollout${status.failed ? "" : ` within ${ROLLOUT_TIMEOUT_MS / 1000} s`}: ${status.message}`,
          `see kubectl -n ${namespace} rollout status ${n.ref} and kubectl -n ${namespace} describe ${n.ref}; re-run aks-wi init when it is done`,
        );
      }
      const pods = newPods(await kube.listPods(namespace, n.workload.selector), at);
      const clientId = clientIdNow(run, identity);
      const bad = pods.map((p) => ({ p, why: podProblem(p, serviceAccount, clientId) })).filter((x) => x.why);
      for (const { p, why } of bad) hooks.warn(`pod ${namespace}/${p.name} of ${n.ref}: ${why}`);
      hooks.progress(`${n.ref}: ${pods.length - bad.length} of ${pods.length} new pods mutated (AZURE_FEDERATED_TOKEN_FILE injected)`);
    },
  };
}

/** The template part of a patch, as the API receives it. */
function templateBody(p: PodTemplatePatch) {
  const metadata = { ...(p.labels ? { labels: p.labels } : {}), ...(p.annotations ? { annotations: p.annotations } : {}) };
  return { ...(Object.keys(metadata).length ? { metadata } : {}), ...(p.serviceAccountName ? { spec: { serviceAccountName: p.serviceAccountName } } : {}) };
}

/** What differs from a wired workload, for `status`. */
function driftOf(n: Need, serviceAccount: string): string {
  if (!n.template) return `pods of ${n.ref} predate the annotation`;
  const wrong: string[] = [];
  if (n.workload.templateLabels[USE_LABEL] !== "true") wrong.push(`lacks the label ${USE_LABEL}: "true"`);
  if (n.workload.serviceAccountName !== serviceAccount) wrong.push(`runs as service account ${n.workload.serviceAccountName}, not ${serviceAccount}`);
  return `${n.ref}: the pod template ${wrong.join(" and ")}`;
}

/** Whether the service account carries the identity's client ID now (else the plan's other steps set it). */
function annotatedNow(sa: ServiceAccountInfo | undefined, identity: IdentityInfo | undefined): boolean {
  return !!sa && !!identity && sa.annotations[CLIENT_ID_ANNOTATION] === identity.clientId;
}

export const workloadsStep = defineStep({
  name: "workloads",
  title: "Workloads",

  async plan(ctx) {
    const { namespace, serviceAccount } = ctx.inputs;
    const refs = ctx.inputs.workloads ?? [];
    if (refs.length === 0) return { change: "none", summary: "no workloads to wire (--workload)", ops: [] };
    const parsed = refs.map((r) => ({ ref: r, ...parseWorkload(r, namespace) }));
    const [sa, identity, found] = await Promise.all([
      ctx.seen.serviceAccount(),
      ctx.seen.identity(),
      Promise.all(parsed.map(async (p) => ({ ...p, w: await ctx.seen.workload(p.kind, p.name), pods: await ctx.seen.workloadPods(p.kind, p.name) }))),
    ]);
    const missing = found.filter((f) => !f.w);
    if (missing.length) {
      throw new UserError(
        `${missing.map((m) => m.ref).join(", ")} not found in namespace ${namespace}`,
        `check --workload and --namespace: a workload is wired to a service account of its own namespace (kubectl -n ${namespace} get deployments,statefulsets,daemonsets,cronjobs)`,
      );
    }
    const annotated = annotatedNow(sa, identity);
    const needs = found.map((f) => needOf(f.ref, f.w!, f.pods, serviceAccount, annotated, identity?.clientId));
    const todo = needs.filter((n) => n.template || n.stale);
    for (const n of todo) assertRestartable(n, namespace);

    const details: Record<string, string> = {};
    for (const n of needs) {
      details[n.ref] = n.template
        ? `${USE_LABEL}: "true" and serviceAccountName ${serviceAccount} on the pod template${n.otherServiceAccount ? ` (now ${n.otherServiceAccount}: needs confirmation or --overwrite)` : ""}${n.workload.kind === "cronjob" ? "" : ", then restart"}`
        : n.stale
          ? `restart: ${n.stale}`
          : "already wired, pods mutated";
    }
    if (todo.length === 0) return { change: "none", summary: `${refs.join(", ")} already wired to ${namespace}/${serviceAccount}`, details, ops: [] };
    const drift = todo.map((n) => driftOf(n, serviceAccount));
    const summary = todo.map((n) => (n.template ? `wire ${n.ref}` : `restart ${n.ref}`)).join(", ");
    return {
      change: "update",
      summary: `${summary} (service account ${namespace}/${serviceAccount})`,
      details,
      drift,
      ops: todo.map((n) => operation(ctx, n, identity)),
    };
  },
});
