// The REST surface of the sandbox's kube-apiserver: path routing, verbs, validation, admission.
import { randomBytes } from "node:crypto";
import { parse as parseYaml } from "yaml";
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../core/types.js";
import { RESOURCES, apiGroup, apiGroupList, apiVersions, findResource, resourceList, versionInfo, type ResourceDef } from "./discovery.js";
import { dns1123Label, dns1123Subdomain } from "./names.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import { decodeProtobufBody } from "./protobuf.js";
import { openapiV3Document, openapiV3Index } from "./openapi.js";
import { NODE_NAME, addServiceAccountVolume, containerLog, defaultPod, pendingStatus, podEvents } from "./pods.js";
import { matchFields, matchLabelSelector, matchLabels, parseFieldSelector, parseLabelSelector, unsupportedField } from "./selectors.js";
import { alreadyExists, badRequest, conflict, failure, invalid, notFound, ok, type StatusCause } from "./status.js";
import { KubeStore, isoNow } from "./store.js";
import { toTable, wantsTable } from "./table.js";
import { WI_LABEL, mutatePod } from "./webhook.js";

export interface Route {
  def?: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Parses /api/v1/... and /apis/G/V/... into resource, namespace, name, subresource. */
export function parseResourcePath(path: string): Route | undefined {
  const segs = path.split("/").filter(Boolean);
  let group = "", version: string, rest: string[];
  if (segs[0] === "api" && segs[1] === "v1") { version = "v1"; rest = segs.slice(2); }
  else if (segs[0] === "apis" && segs.length >= 3) { group = segs[1]; version = segs[2]; rest = segs.slice(3); }
  else return undefined;
  if (rest.length === 0) return undefined;
  if (rest[0] === "namespaces" && rest.length >= 3) {
    const def = findResource(group, version, rest[2]);
    if (def?.namespaced && rest.length <= 5) return { def, namespace: rest[1], name: rest[3], sub: rest[4] };
    if (rest.length === 3 && group === "" && !def) return { def: findResource("", "v1", "namespaces"), name: rest[1], sub: rest[2] };
    return { def: undefined };
  }
  const def = findResource(group, version, rest[0]);
  if (!def || rest.length > 3) return { def: undefined };
  return { def, name: rest[1], sub: rest[2] };
}

const REQUEST_NOT_FOUND = () => failure(404, "the server could not find the requested resource", "NotFound", { });

export class KubeApi {
  readonly store: KubeStore;
  constructor(readonly ctx: ServiceContext) { this.store = new KubeStore(ctx); }

  async handle(req: SandboxRequest): Promise<SandboxResponse> {
    this.store.reconcile();
    const p = req.path.replace(/\/+$/, "") || "/";
    const q = req.url.searchParams;
    if (req.method === "GET" || req.method === "HEAD") {
      if (p === "/version") return ok(versionInfo());
      if (["/healthz", "/readyz", "/livez"].includes(p)) return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "ok" };
      // plain application/json (not apidiscovery.k8s.io/v2): kubectl and client-node fall back to legacy discovery
      if (p === "/api") return ok(apiVersions(new URL(this.ctx.info.kubeServer).host));
      if (p === "/apis") return ok(apiGroupList());
      if (p === "/api/v1") return ok(resourceList("", "v1"));
      const g = /^\/apis\/([^/]+)$/.exec(p);
      if (g) return apiGroup(g[1]) ? ok(apiGroup(g[1])) : REQUEST_NOT_FOUND();
      const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
      if (gv) return resourceList(gv[1], gv[2]) ? ok(resourceList(gv[1], gv[2])) : REQUEST_NOT_FOUND();
      if (p === "/openapi/v3") return ok(openapiV3Index());
      const oa = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
      if (oa) {
        const doc = oa[1] ? openapiV3Document("", "v1") : openapiV3Document(oa[2], oa[3]);
        if (doc) return ok(doc);
      }
      if (p.startsWith("/openapi")) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" };
    }
    const route = parseResourcePath(p);
    if (!route) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "404 page not found\n" };
    if (!route.def) return REQUEST_NOT_FOUND();
    const { def, namespace, name, sub } = route;
    if (namespace && def.name !== "namespaces" && !this.store.get("namespaces", undefined, namespace) && req.method !== "GET")
      return notFound("namespaces", namespace);
    if (sub) return this.subresource(req, def, namespace, name!, sub);
    if (def.name === "selfsubjectaccessreviews") {
      if (req.method !== "POST" || name) return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
      const ct = String(req.headers["content-type"] ?? "").split(";")[0].trim();
      let spec: unknown = {};
      if (ct !== "application/vnd.kubernetes.protobuf") { const d = this.decode(req); if (!d.ok) return d.res; spec = d.value?.spec ?? {}; }
      return ok({ kind: "SelfSubjectAccessReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null }, spec, status: { allowed: true, reason: "sandbox: authenticated callers are cluster administrators" } }, 201);
    }
    const dryRun = q.getAll("dryRun").includes("All");
    switch (req.method) {
      case "GET": case "HEAD":
        return name ? this.getOne(req, def, namespace, name) : await this.list(req, def, namespace);
      case "POST":
        if (name) return failure(405, `the server does not allow this method on the requested resource`, "MethodNotAllowed");
        return this.create(req, def, namespace, dryRun);
      case "PUT":
        if (!name) return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
        return this.update(req, def, namespace, name, dryRun);
      case "PATCH":
        if (!name) return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
        return this.patch(req, def, namespace, name, dryRun);
      case "DELETE":
        if (!name) return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
        return this.delete(def, namespace, name, dryRun);
      default:
        return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
    }
  }

  private decode(req: SandboxRequest): { ok: true; value: any } | { ok: false; res: SandboxResponse } {
    const ct = String(req.headers["content-type"] ?? "application/json").split(";")[0].trim();
    const text = req.body.toString("utf8");
    if (ct === "application/vnd.kubernetes.protobuf") {
      const r = decodeProtobufBody(req.body);
      return r.ok ? { ok: true, value: r.value } : { ok: false, res: badRequest(r.message) };
    }
    try {
      if (ct === "application/json" || ct === "*/*" || ct === "") return { ok: true, value: JSON.parse(text) };
      if (ct === "application/yaml" || ct === "application/apply-patch+yaml") return { ok: true, value: parseYaml(text) };
    } catch (e) {
      return { ok: false, res: badRequest(`json: ${(e as Error).message.split("\n")[0]}`) };
    }
    return { ok: false, res: failure(415, `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`, "UnsupportedMediaType") };
  }

  private getOne(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string): SandboxResponse {
    const obj = this.store.get(def.name, def.namespaced ? ns : undefined, name);
    if (!obj) return notFound(def.name, name, def.group);
    if (wantsTable(req.headers.accept)) return ok(toTable(def.name, [obj], this.ctx.now(), { resourceVersion: obj.metadata.resourceVersion }, req.url.searchParams.get("includeObject") ?? "Metadata"));
    return ok(obj);
  }

  /** Watch answers are not streamed (a SandboxResponse is one body), so a watch from resourceVersion N
   *  is held until some object changes after N (or a short timeout) and then ends; clients re-watch
   *  as after any watch timeout. Without a resourceVersion the current objects come back as ADDED. */
  private async watch(req: SandboxRequest, def: ResourceDef, ns: string | undefined, initial: any[]): Promise<SandboxResponse> {
    const q = req.url.searchParams;
    const since = Number(q.get("resourceVersion") || "0");
    const events = (items: any[], type: string) => items.map((o) => JSON.stringify({ type, object: o }) + "\n").join("");
    const reply = (body: string): SandboxResponse => ({ status: 200, headers: { "content-type": "application/json" }, body });
    if (!since) return reply(events(initial, "ADDED"));
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    const deadline = Date.now() + Math.min(Number(q.get("timeoutSeconds")) || 5, 1) * 1000;
    for (;;) {
      this.store.reconcile();
      const r = await this.list(req, def, ns, true);
      const all = (r.body as any)?.items ?? [];
      const changed = all.filter((o: any) => Number(o.metadata.resourceVersion) > since).map((o: any) => ({ apiVersion, kind: def.kind, ...o }));
      if (changed.length || Date.now() >= deadline || r.status !== 200) {
        // a trailing bookmark (when allowed) tells the client how far this watch got
        const bookmark = q.get("allowWatchBookmarks") === "true"
          ? JSON.stringify({ type: "BOOKMARK", object: { kind: def.kind, apiVersion, metadata: { resourceVersion: String(this.ctx.world.state.kube.resourceVersion) } } }) + "\n" : "";
        return reply(events(changed, "MODIFIED") + bookmark);
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  private list(req: SandboxRequest, def: ResourceDef, ns: string | undefined, plain = false): SandboxResponse | Promise<SandboxResponse> {
    const q = req.url.searchParams;
    let items = this.store.list(def.name, def.namespaced ? ns : undefined);
    const ls = q.get("labelSelector");
    if (ls) {
      const sel = parseLabelSelector(ls);
      if ("error" in sel) return badRequest(sel.error);
      items = items.filter((o) => matchLabels(o.metadata.labels, sel));
    }
    const fs = q.get("fieldSelector");
    if (fs) {
      const sel = parseFieldSelector(fs);
      if ("error" in sel) return badRequest(sel.error);
      const bad = unsupportedField(def.name, sel);
      if (bad) return badRequest(bad);
      items = items.filter((o) => matchFields(o, sel));
    }
    const rv = String(this.ctx.world.state.kube.resourceVersion);
    if (!plain && (q.get("watch") === "true" || q.get("watch") === "1")) return this.watch(req, def, ns, items);
    if (!plain && wantsTable(req.headers.accept)) return ok(toTable(def.name, items, this.ctx.now(), { resourceVersion: rv }, q.get("includeObject") ?? "Metadata"));
    const strip = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return ok({ kind: `${def.kind}List`, apiVersion: def.group ? `${def.group}/${def.version}` : def.version, metadata: { resourceVersion: rv }, items: strip });
  }

  /** Common checks of a body sent to create/update. */
  private checkBody(def: ResourceDef, obj: any, ns: string | undefined, name?: string): SandboxResponse | undefined {
    if (typeof obj !== "object" || obj === null || Array.isArray(obj)) return badRequest(`json: cannot unmarshal ${Array.isArray(obj) ? "array" : typeof obj} into Go value of type struct`);
    const apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    if (obj.kind !== undefined && obj.kind !== def.kind)
      return badRequest(`${obj.kind} in version "${def.version}" cannot be handled as a ${def.kind}: no kind "${obj.kind}" is registered for version "${apiVersion}"`);
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion)
      return badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
    obj.metadata ??= {};
    if (def.namespaced) {
      if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns)
        return badRequest("the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = ns;
    } else delete obj.metadata.namespace;
    if (name !== undefined && obj.metadata.name && obj.metadata.name !== name)
      return badRequest("the name of the object (" + obj.metadata.name + ") does not match the name on the URL (" + name + ")");
    if (name !== undefined) obj.metadata.name = name;
    return undefined;
  }

  private validate(def: ResourceDef, obj: any): StatusCause[] {
    const causes: StatusCause[] = [];
    const name: string = obj.metadata.name ?? "";
    if (!name) causes.push({ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" });
    else {
      const err = def.name === "namespaces" ? dns1123Label(name) : dns1123Subdomain(name);
      if (err) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${name}": ${err}`, field: "metadata.name" });
    }
    for (const [k, v] of Object.entries({ ...(obj.metadata.labels ?? {}), ...(obj.metadata.annotations ?? {}) }))
      if (typeof v !== "string") causes.push({ reason: "FieldValueInvalid", message: `Invalid value: must be a string`, field: `metadata.labels[${k}]` });
    if (def.name === "pods") {
      const cs = obj.spec?.containers;
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
      (obj.spec?.initContainers ?? []).forEach((c: any, i: number) => check(c, i, "spec.initContainers"));
    }
    return causes;
  }

  /** Type errors the JSON decoder reports before validation (e.g. a non-string env value). */
  private decodeErrors(def: ResourceDef, obj: any): string | undefined {
    if (def.name !== "pods") return undefined;
    for (const c of [...(obj.spec?.containers ?? []), ...(obj.spec?.initContainers ?? [])])
      for (const e of c?.env ?? [])
        if (e?.value !== undefined && typeof e.value !== "string")
          return `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal ${Array.isArray(e.value) ? "array" : typeof e.value === "object" ? "object" : typeof e.value} into Go struct field EnvVar.spec.containers.env.value of type string`;
    return undefined;
  }

  private manager(req: SandboxRequest): string {
    const fm = req.url.searchParams.get("fieldManager");
    if (fm) return fm;
    const ua = String(req.headers["user-agent"] ?? "unknown");
    return ua.split("/")[0] || "unknown";
  }

  private async create(req: SandboxRequest, def: ResourceDef, ns: string | undefined, dryRun: boolean, body?: any): Promise<SandboxResponse> {
    let obj = body;
    if (obj === undefined) {
      const d = this.decode(req);
      if (!d.ok) return d.res;
      obj = d.value;
    }
    const bad = this.checkBody(def, obj, def.namespaced ? ns : undefined);
    if (bad) return bad;
    if (!obj.metadata.name && obj.metadata.generateName)
      obj.metadata.name = obj.metadata.generateName + Array.from(randomBytes(5), (b) => "bcdfghjklmnpqrstvwxz2456789"[b % 27]).join("");
    const decodeErr = this.decodeErrors(def, obj);
    if (decodeErr) return badRequest(decodeErr);
    const causes = this.validate(def, obj);
    if (causes.length) return invalid(def.kind, obj.metadata.name ?? "", causes);
    delete obj.metadata.uid; delete obj.metadata.resourceVersion; delete obj.metadata.creationTimestamp; delete obj.metadata.deletionTimestamp;
    if (this.store.get(def.name, obj.metadata.namespace, obj.metadata.name)) return alreadyExists(def.name, obj.metadata.name);
    if (def.name === "pods") {
      const admitted = await this.admitPod(obj);
      if ("status" in admitted && admitted.body) return admitted as SandboxResponse;
      obj = (admitted as { pod: any }).pod;
    }
    if (def.name === "namespaces") { obj.metadata.labels = { ...(obj.metadata.labels ?? {}), "kubernetes.io/metadata.name": obj.metadata.name }; obj.spec = { finalizers: ["kubernetes"] }; obj.status = { phase: "Active" }; }
    if (def.name === "deployments") obj.spec = { replicas: 1, ...(obj.spec ?? {}) };
    const created = this.store.create(def, obj, this.manager(req), dryRun);
    if (!dryRun) {
      if (def.name === "namespaces" && !this.store.get("serviceaccounts", created.metadata.name, "default"))
        this.store.create(findResource("", "v1", "serviceaccounts")!, this.store.defaultServiceAccount(created.metadata.name), "kube-controller-manager");
      if (def.name === "pods") {
        this.store.notePodCreated(created, this.ctx.now());
        for (const e of podEvents(created, "scheduled")) this.store.recordEvent(created, e, this.ctx.now());
      }
      this.store.afterWrite(def.name, created);
      this.ctx.world.save();
      this.store.reconcile();
    }
    return ok(this.store.get(def.name, created.metadata.namespace, created.metadata.name) ?? created, 201);
  }

  /** Pod admission in the real plugin order: defaults, ServiceAccount plugin, mutating webhooks. */
  private async admitPod(pod: any): Promise<SandboxResponse | { pod: any }> {
    defaultPod(pod);
    const ns = pod.metadata.namespace;
    const saName = pod.spec.serviceAccountName;
    const sa = this.store.get("serviceaccounts", ns, saName);
    if (!sa)
      return failure(403, `pods "${pod.metadata.name}" is forbidden: error looking up service account ${ns}/${saName}: serviceaccount "${saName}" not found`, "Forbidden", { name: pod.metadata.name, kind: "pods" });
    addServiceAccountVolume(pod);
    const nsObj = this.store.get("namespaces", undefined, ns);
    for (const mwc of this.store.list("mutatingwebhookconfigurations")) {
      for (const wh of mwc.webhooks ?? []) {
        const rules: any[] = wh.rules ?? [];
        const matches = rules.some((r) => (r.operations ?? []).some((o: string) => o === "CREATE" || o === "*") && (r.resources ?? []).some((x: string) => x === "pods" || x === "*") && (r.apiGroups ?? []).some((g: string) => g === "" || g === "*"));
        if (!matches || !matchLabelSelector(pod.metadata.labels, wh.objectSelector) || !matchLabelSelector(nsObj?.metadata?.labels, wh.namespaceSelector)) continue;
        const reach = this.webhookReachable(wh);
        if (reach) {
          if (wh.failurePolicy === "Ignore") continue;
          return failure(500, `Internal error occurred: failed calling webhook "${wh.name}": failed to call webhook: ${reach}`, "InternalError", { causes: [{ message: `failed calling webhook "${wh.name}": failed to call webhook: ${reach}` }] });
        }
        // the only webhook server the sandbox runs is azure-workload-identity's
        if (pod.metadata.labels?.[WI_LABEL] !== "true") continue;
        const r = mutatePod(pod, sa, { tenantId: this.ctx.info.tenantId, authorityHost: this.ctx.info.authorityHost });
        if (!r.ok) return failure(400, `admission webhook "${wh.name}" denied the request: ${r.message}`, "BadRequest");
        pod = r.pod;
      }
    }
    pod.spec.nodeName = NODE_NAME;
    pod.status = pendingStatus(pod, isoNow(this.ctx.now()));
    return { pod };
  }

  /** Why a webhook call would fail (no service / no ready endpoints), or undefined when it answers. */
  private webhookReachable(wh: any): string | undefined {
    const svc = wh.clientConfig?.service;
    const url = svc ? `https://${svc.name}.${svc.namespace}.svc:${svc.port ?? 443}${svc.path ?? ""}?timeout=${wh.timeoutSeconds ?? 10}s` : wh.clientConfig?.url;
    if (!svc) return `Post "${url}": dial tcp: lookup failed: no such host`;
    if (!this.store.get("services", svc.namespace, svc.name)) return `Post "${url}": service "${svc.name}" not found`;
    const ep = this.store.get("endpoints", svc.namespace, svc.name);
    const ready = (ep?.subsets ?? []).some((s: any) => (s.addresses ?? []).length > 0);
    if (!ready) return `Post "${url}": no endpoints available for service "${svc.name}"`;
    return undefined;
  }

  private async update(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string, dryRun: boolean, body?: any): Promise<SandboxResponse> {
    const old = this.store.get(def.name, def.namespaced ? ns : undefined, name);
    let obj = body;
    if (obj === undefined) {
      const d = this.decode(req);
      if (!d.ok) return d.res;
      obj = d.value;
    }
    const bad = this.checkBody(def, obj, def.namespaced ? ns : undefined, name);
    if (bad) return bad;
    if (!old) return notFound(def.name, name, def.group);
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) return conflict(def.name, name);
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid)
      return conflict(def.name, name);
    const decodeErr = this.decodeErrors(def, obj);
    if (decodeErr) return badRequest(decodeErr);
    const causes = this.validate(def, obj);
    if (causes.length) return invalid(def.kind, name, causes);
    obj.apiVersion = old.apiVersion; obj.kind = old.kind;
    if (def.name === "pods" || def.name === "namespaces" || def.name === "deployments") obj.status = old.status;
    if (def.name === "pods") {
      const strip = (s: any) => JSON.stringify({ ...s, containers: (s?.containers ?? []).map((c: any) => ({ ...c, image: undefined })), activeDeadlineSeconds: undefined, tolerations: undefined });
      if (strip(obj.spec) !== strip(old.spec))
        return invalid("Pod", name, [{ reason: "FieldValueForbidden", field: "spec", message: "Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)" }]);
    }
    return ok(this.store.replace(def, old, obj, dryRun));
  }

  private async patch(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string, dryRun: boolean): Promise<SandboxResponse> {
    const ct = String(req.headers["content-type"] ?? "").split(";")[0].trim();
    const old = this.store.get(def.name, def.namespaced ? ns : undefined, name);
    let patchBody: any;
    try {
      patchBody = ct === "application/apply-patch+yaml" ? parseYaml(req.body.toString("utf8")) : JSON.parse(req.body.toString("utf8"));
    } catch (e) {
      if (["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"].includes(ct))
        return badRequest(`error decoding patch: ${(e as Error).message.split("\n")[0]}`);
    }
    let next: any;
    switch (ct) {
      case "application/json-patch+json": {
        if (!old) return notFound(def.name, name, def.group);
        const r = jsonPatch(old, patchBody);
        if (!r.ok) return failure(r.code, r.message);
        next = r.value; break;
      }
      case "application/merge-patch+json":
        if (!old) return notFound(def.name, name, def.group);
        next = mergePatch(old, patchBody); break;
      case "application/strategic-merge-patch+json":
        if (!old) return notFound(def.name, name, def.group);
        next = strategicMergePatch(old, patchBody); break;
      case "application/apply-patch+yaml": {
        if (!req.url.searchParams.get("fieldManager")) return badRequest("PATCH /apply requires fieldManager");
        if (!old) return this.create(req, def, ns, dryRun, patchBody);
        next = strategicMergePatch(old, patchBody); break;
      }
      default:
        return failure(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`, "UnsupportedMediaType");
    }
    if (!next || typeof next !== "object") return badRequest("patch produced an invalid object");
    if (next.metadata?.resourceVersion !== old.metadata.resourceVersion && patchBody?.metadata?.resourceVersion === undefined) next.metadata.resourceVersion = old.metadata.resourceVersion;
    return this.update(req, def, ns, name, dryRun, next);
  }

  private delete(def: ResourceDef, ns: string | undefined, name: string, dryRun: boolean): SandboxResponse {
    const obj = this.store.get(def.name, def.namespaced ? ns : undefined, name);
    if (!obj) return notFound(def.name, name, def.group);
    if (def.name === "namespaces" && ["default", "kube-system", "kube-public", "kube-node-lease"].includes(name))
      return failure(403, `namespaces "${name}" is forbidden: this namespace may not be deleted`, "Forbidden", { name, kind: "namespaces" });
    if (!dryRun) this.store.remove(def.name, def.namespaced ? ns : undefined, name);
    if (def.name === "pods" || def.name === "namespaces") {
      const out = JSON.parse(JSON.stringify(obj));
      out.metadata.deletionTimestamp = isoNow(this.ctx.now());
      out.metadata.deletionGracePeriodSeconds = 0;
      return ok(out);
    }
    return ok({ kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, ...(def.group ? { group: def.group } : {}), kind: def.name, uid: obj.metadata.uid } });
  }

  private async subresource(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string, sub: string): Promise<SandboxResponse> {
    const obj = this.store.get(def.name, def.namespaced ? ns : undefined, name);
    const allowed = def.subresources?.[sub];
    if (!allowed) return REQUEST_NOT_FOUND();
    if (def.name === "serviceaccounts" && sub === "token") {
      if (req.method !== "POST") return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
      if (!obj) return notFound("serviceaccounts", name);
      return this.tokenRequest(req, obj);
    }
    if (def.name === "pods" && sub === "log") {
      if (req.method !== "GET") return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
      if (!obj) return notFound("pods", name);
      return this.podLog(req, obj);
    }
    if (def.name === "pods" && sub === "exec") {
      if (!obj) return notFound("pods", name);
      return badRequest("Upgrade request required");
    }
    if (sub === "status") {
      if (!obj) return notFound(def.name, name, def.group);
      if (req.method === "GET") return ok(obj);
      return failure(405, "the server does not allow this method on the requested resource", "MethodNotAllowed");
    }
    if (def.name === "deployments" && sub === "scale") {
      if (!obj) return notFound("deployments", name, "apps");
      const scale = (o: any) => ({ kind: "Scale", apiVersion: "autoscaling/v1", metadata: { name, namespace: ns, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
        spec: { replicas: o.spec?.replicas ?? 1 }, status: { replicas: o.status?.replicas ?? 0, selector: Object.entries(o.spec?.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",") } });
      if (req.method === "GET") return ok(scale(obj));
      let replicas: unknown;
      try {
        const b = JSON.parse(req.body.toString("utf8"));
        const ct = String(req.headers["content-type"] ?? "").split(";")[0].trim();
        if (ct === "application/json-patch+json") { const r = jsonPatch(scale(obj), b); if (!r.ok) return failure(r.code, r.message); replicas = r.value.spec?.replicas; }
        else replicas = (req.method === "PUT" ? b : mergePatch(scale(obj), b)).spec?.replicas;
      } catch { return badRequest("error decoding scale request"); }
      if (typeof replicas !== "number" || replicas < 0 || !Number.isInteger(replicas))
        return invalid("Scale", name, [{ reason: "FieldValueInvalid", field: "spec.replicas", message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0` }]);
      const next = JSON.parse(JSON.stringify(obj));
      next.spec.replicas = replicas;
      const saved = this.store.replace(def, obj, next);
      return ok(scale(saved));
    }
    return REQUEST_NOT_FOUND();
  }

  private async tokenRequest(req: SandboxRequest, sa: any): Promise<SandboxResponse> {
    const d = this.decode(req);
    if (!d.ok) return d.res;
    const tr = d.value ?? {};
    const spec = tr.spec ?? {};
    const exp = spec.expirationSeconds ?? 3600;
    if (typeof exp !== "number" || exp < 600)
      return invalid("TokenRequest", sa.metadata.name, [{ reason: "FieldValueInvalid", field: "spec.expirationSeconds", message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes` }]);
    if (exp > 2 ** 32)
      return invalid("TokenRequest", sa.metadata.name, [{ reason: "FieldValueTooLong", field: "spec.expirationSeconds", message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds` }]);
    const audiences: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences : [this.ctx.info.kubeServer];
    let pod: { name: string; uid: string } | undefined;
    const ref = spec.boundObjectRef;
    if (ref?.kind === "Pod") {
      const p = this.store.get("pods", sa.metadata.namespace, ref.name);
      if (!p) return notFound("pods", ref.name);
      if (ref.uid && ref.uid !== p.metadata.uid) return conflict("pods", ref.name);
      pod = { name: p.metadata.name, uid: p.metadata.uid };
    }
    let token: string;
    try {
      token = await this.ctx.clusterIssuer.mintServiceAccountToken({ namespace: sa.metadata.namespace, serviceAccount: sa.metadata.name, serviceAccountUid: sa.metadata.uid, audiences, expirationSeconds: exp, pod });
    } catch {
      return failure(500, "Internal error occurred: failed to sign service account token", "InternalError");
    }
    const expTs = new Date(this.ctx.now() + exp * 1000).toISOString().replace(/\.\d+Z$/, "Z");
    return ok({
      kind: "TokenRequest", apiVersion: "authentication.k8s.io/v1",
      metadata: { name: sa.metadata.name, namespace: sa.metadata.namespace, creationTimestamp: null },
      spec: { audiences, expirationSeconds: exp, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: expTs },
    }, 201);
  }

  /** Resolves the container an exec/log request names (or the only one). */
  pickContainer(pod: any, container: string | null): { ok: true; c: any } | { ok: false; res: SandboxResponse } {
    const cs: any[] = pod.spec.containers ?? [];
    if (!container) {
      if (cs.length === 1) return { ok: true, c: cs[0] };
      return { ok: false, res: badRequest(`a container name must be specified for pod ${pod.metadata.name}, choose one of: [${cs.map((c) => c.name).join(" ")}]`) };
    }
    const c = [...cs, ...(pod.spec.initContainers ?? [])].find((x) => x.name === container);
    if (!c) return { ok: false, res: badRequest(`container ${container} is not valid for pod ${pod.metadata.name}`) };
    return { ok: true, c };
  }

  private podLog(req: SandboxRequest, pod: any): SandboxResponse {
    const pick = this.pickContainer(pod, req.url.searchParams.get("container"));
    if (!pick.ok) return pick.res;
    const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === pick.c.name);
    if (!st?.state?.running)
      return badRequest(`container "${pick.c.name}" in pod "${pod.metadata.name}" is waiting to start: ${st?.state?.waiting?.reason ?? "ContainerCreating"}`);
    let text = containerLog(pod, pick.c, st.state.running.startedAt);
    const ts = req.url.searchParams.get("timestamps") === "true";
    if (!ts) text = text.split("\n").map((l) => l.replace(/^\S+Z /, "")).join("\n");
    const tail = Number(req.url.searchParams.get("tailLines"));
    if (Number.isInteger(tail) && tail >= 0 && req.url.searchParams.has("tailLines")) {
      const lines = text.split("\n"); lines.pop();
      text = lines.slice(Math.max(0, lines.length - tail)).map((l) => l + "\n").join("");
    }
    return { status: 200, headers: { "content-type": "text/plain" }, body: text };
  }
}

export { RESOURCES };
