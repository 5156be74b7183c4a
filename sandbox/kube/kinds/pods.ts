// Pods: container validation, admission in the real plugin order (API defaults, the
// ServiceAccount plugin's token volume, mutating webhooks — here azure-workload-identity's), the
// update rule (little but images may change), graceful deletion, and the log subresource.
import { randomBytes } from "node:crypto";
import type { SandboxRequest, SandboxResponse } from "../../core/types.js";
import { matchLabelSelector } from "../selectors.js";
import { NODE_NAME, containerLog, pendingStatus, pickContainer, podEvents } from "../kubelet.js";
import { badRequest, failure, invalid, type Outcome, type StatusCause } from "../status.js";
import { isoNow, type KubeObject, type StoredObject } from "../store.js";
import { WI_LABEL, mutatePod } from "../webhook.js";
import { ENFORCE_LABEL, restrictedViolations } from "../pod-security.js";
import { dns1123Label } from "../names.js";
import type { KindHooks, KubeEnv } from "./index.js";

/** Where the ServiceAccount admission plugin mounts the API token. */
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The API defaults of a pod spec (SetDefaults_PodSpec and its containers'), which apply to pod
 *  templates (deployments, replica sets) as much as to pods. */
export function defaultPodSpec(spec: any): void {
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= "ClusterFirst";
  spec.securityContext ??= {};
  spec.schedulerName ??= "default-scheduler";
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    const image: string = c.image ?? "";
    const tag = image.includes("@") ? "digest" : (image.split("/").pop() ?? "").split(":")[1];
    c.imagePullPolicy ??= !tag || tag === "latest" ? "Always" : "IfNotPresent";
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    c.resources ??= {};
  }
}

/** Fills the defaults the API server sets on a pod at create (SetDefaults_Pod and friends). */
function defaultPod(pod: KubeObject): void {
  const spec = (pod.spec ??= {});
  defaultPodSpec(spec);
  spec.serviceAccountName ??= spec.serviceAccount ?? "default";
  spec.serviceAccount = spec.serviceAccountName;
  spec.enableServiceLinks ??= true;
  spec.priority ??= 0;
  spec.preemptionPolicy ??= "PreemptLowerPriority";
  spec.tolerations ??= [];
  for (const key of ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"])
    if (!spec.tolerations.some((t: any) => t.key === key)) spec.tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 });
}

/** The ServiceAccount admission plugin's projected `kube-api-access-*` volume and its mounts. */
function addServiceAccountVolume(pod: KubeObject): void {
  if (pod.spec.automountServiceAccountToken === false) return;
  const name = `kube-api-access-${randomBytes(3).toString("hex").slice(0, 5)}`;
  pod.spec.volumes ??= [];
  pod.spec.volumes.push({
    name,
    projected: {
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        { downwardAPI: { items: [{ fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" }, path: "namespace" }] } },
      ],
    },
  });
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    c.volumeMounts ??= [];
    if (!c.volumeMounts.some((m: any) => m.mountPath === SA_DIR)) c.volumeMounts.push({ name, readOnly: true, mountPath: SA_DIR });
  }
}

function validatePod(pod: KubeObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const cs = pod.spec?.containers;
  if (!Array.isArray(cs) || cs.length === 0) causes.push({ reason: "FieldValueRequired", message: "Required value", field: "spec.containers" });
  const seen = new Set<string>();
  const check = (c: any, i: number, path: string) => {
    if (!c?.name) causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}[${i}].name` });
    else {
      const e = dns1123Label(c.name);
      if (e) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${c.name}": ${e}`, field: `${path}[${i}].name` });
      if (seen.has(c.name)) causes.push({ reason: "FieldValueDuplicate", message: `Duplicate value: "${c.name}"`, field: `${path}[${i}].name` });
      seen.add(c.name);
    }
    if (!c?.image) causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}[${i}].image` });
    (c?.env ?? []).forEach((e: any, j: number) => {
      if (!e?.name) causes.push({ reason: "FieldValueRequired", message: "Required value", field: `${path}[${i}].env[${j}].name` });
    });
  };
  (Array.isArray(cs) ? cs : []).forEach((c, i) => check(c, i, "spec.containers"));
  (pod.spec?.initContainers ?? []).forEach((c: any, i: number) => check(c, i, "spec.initContainers"));
  return causes;
}

/** A non-string env value, as Go's JSON decoder refuses it. */
function decodeError(pod: KubeObject): string | undefined {
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])])
    for (const e of c?.env ?? [])
      if (e?.value !== undefined && typeof e.value !== "string")
        return `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ${Array.isArray(e.value) ? "array" : typeof e.value === "object" ? "object" : typeof e.value} into Go struct field EnvVar.spec.containers.env.value of type string`;
  return undefined;
}

/** Why a webhook call would fail (no service / no ready endpoints), or undefined when it answers. */
function webhookUnreachable({ store }: KubeEnv, wh: any): string | undefined {
  const svc = wh.clientConfig?.service;
  const url = svc ? `https://${svc.name}.${svc.namespace}.svc:${svc.port ?? 443}${svc.path ?? ""}?timeout=${wh.timeoutSeconds ?? 10}s` : wh.clientConfig?.url;
  if (!svc) return `Post "${url}": dial tcp: lookup failed: no such host`;
  if (!store.get("services", svc.namespace, svc.name)) return `Post "${url}": service "${svc.name}" not found`;
  const ep = store.get("endpoints", svc.namespace, svc.name);
  const ready = (ep?.subsets ?? []).some((s: any) => (s.addresses ?? []).length > 0);
  if (!ready) return `Post "${url}": no endpoints available for service "${svc.name}"`;
  return undefined;
}

/** Pod admission in the real plugin order: defaults, ServiceAccount plugin, mutating webhooks.
 *  Synchronous, so the controllers (which run before every request) create pods through it too. */
export function admitPod(env: KubeEnv, input: KubeObject): Outcome<KubeObject> {
  const { ctx, store } = env;
  let pod = input;
  defaultPod(pod);
  const ns = pod.metadata.namespace;
  const saName = pod.spec.serviceAccountName;
  const sa = store.get("serviceaccounts", ns, saName);
  if (!sa) {
    return {
      ok: false,
      res: failure(
        403,
        `pods "${pod.metadata.name}" is forbidden: error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`,
        "Forbidden",
        { name: pod.metadata.name, kind: "pods" },
      ),
    };
  }
  addServiceAccountVolume(pod);
  const nsObj = store.get("namespaces", undefined, ns!);
  for (const mwc of store.list("mutatingwebhookconfigurations")) {
    for (const wh of mwc.webhooks ?? []) {
      const rules: any[] = wh.rules ?? [];
      const matches = rules.some(
        (r) =>
          (r.operations ?? []).some((o: string) => o === "CREATE" || o === "*") &&
          (r.resources ?? []).some((x: string) => x === "pods" || x === "*") &&
          (r.apiGroups ?? []).some((g: string) => g === "" || g === "*"),
      );
      if (!matches || !matchLabelSelector(pod.metadata.labels, wh.objectSelector) || !matchLabelSelector(nsObj?.metadata?.labels, wh.namespaceSelector))
        continue;
      const unreachable = webhookUnreachable(env, wh);
      if (unreachable) {
        if (wh.failurePolicy === "Ignore") continue;
        const message = `failed calling webhook "${wh.name}": failed to call webhook: ${unreachable}`;
        return { ok: false, res: failure(500, `Internal error occurred: ${message}`, "InternalError", { causes: [{ message }] }) };
      }
      // the only webhook server the sandbox runs is azure-workload-identity's
      if (pod.metadata.labels?.[WI_LABEL] !== "true") continue;
      const r = mutatePod(pod, sa, { tenantId: ctx.info.tenantId, authorityHost: ctx.info.authorityHost });
      if (!r.ok) return { ok: false, res: failure(400, `admission webhook "${wh.name}" denied the request: ${r.message}`, "BadRequest") };
      pod = r.pod;
    }
  }
  // Pod Security admission validates what the mutating webhooks made.
  if (nsObj?.metadata?.labels?.[ENFORCE_LABEL] === "restricted") {
    const violations = restrictedViolations(pod);
    if (violations.length) {
      return {
        ok: false,
        res: failure(403, `pods "${pod.metadata.name}" is forbidden: violates PodSecurity "restricted:latest": ${violations.join(", ")}`, "Forbidden", {
          name: pod.metadata.name,
          kind: "pods",
        }),
      };
    }
  }
  pod.spec.nodeName = NODE_NAME;
  pod.status = pendingStatus(pod, isoNow(ctx.now()));
  return { ok: true, value: pod };
}

/** Only images, activeDeadlineSeconds and tolerations of a pod's spec may change. */
function checkUpdate(old: StoredObject, next: KubeObject): SandboxResponse | undefined {
  const strip = (s: any) =>
    JSON.stringify({
      ...s,
      containers: (s?.containers ?? []).map((c: any) => ({ ...c, image: undefined })),
      activeDeadlineSeconds: undefined,
      tolerations: undefined,
    });
  if (strip(next.spec) === strip(old.spec)) return undefined;
  return invalid("Pod", old.metadata.name, [
    {
      reason: "FieldValueForbidden",
      field: "spec",
      message:
        "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    },
  ]);
}

export const pods: KindHooks = {
  decodeError,
  validate: validatePod,
  admit: admitPod,
  afterCreate({ ctx, store }, pod) {
    store.notePodCreated(pod, ctx.now());
    for (const e of podEvents(pod, "scheduled")) store.recordEvent(pod, e, ctx.now());
  },
  checkUpdate,
  graceful: true,
};

/** pods/log: what the container printed, with kubectl's timestamps and tailLines. */
export function podLog(_env: KubeEnv, req: SandboxRequest, pod: StoredObject): SandboxResponse {
  const pick = pickContainer(pod, req.url.searchParams.get("container"));
  if (!pick.ok) return pick.res;
  const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === pick.value.name);
  if (!st?.state?.running)
    return badRequest(`container "${pick.value.name}" in pod "${pod.metadata.name}" is waiting to start: ${st?.state?.waiting?.reason ?? "ContainerCreating"}`);
  let text = containerLog(pod, pick.value, st.state.running.startedAt);
  const ts = req.url.searchParams.get("timestamps") === "true";
  if (!ts)
    text = text
      .split("\n")
      .map((l) => l.replace(/^\S+Z /, ""))
      .join("\n");
  const tail = Number(req.url.searchParams.get("tailLines"));
  if (Number.isInteger(tail) && tail >= 0 && req.url.searchParams.has("tailLines")) {
    const lines = text.split("\n");
    lines.pop();
    text = lines
      .slice(Math.max(0, lines.length - tail))
      .map((l) => l + "\n")
      .join("");
  }
  return { status: 200, headers: { "content-type": "text/plain" }, body: text };
}
