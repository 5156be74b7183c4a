// The REST surface of the sandbox's kube-apiserver: discovery, path routing and the generic verbs
// (get, list, watch, create, update, patch, delete). What differs per kind is in kinds/ (hooks
// the verbs call at fixed points), subresources are in subresources.ts.
import { setTimeout as sleep } from "node:timers/promises";
import { parse as parseYaml } from "yaml";
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../core/types.js";
import { decodeBody, mediaType } from "./body.js";
import { apiGroup, apiGroupList, apiVersions, findResource, resourceList, versionInfo, type ResourceDef } from "./discovery.js";
import { kindOf, type KubeEnv } from "./kinds/index.js";
import type { KubeUser } from "./rbac/authorizer.js";
import { dns1123Subdomain, generatedNameSuffix } from "./names.js";
import { openapiV3Document, openapiV3Index } from "./openapi.js";
import { jsonPatch, mergePatch, strategicMergePatch } from "./patch.js";
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, unsupportedField } from "./selectors.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  failure,
  invalid,
  methodNotAllowed,
  notFound,
  ok,
  pageNotFound,
  requestNotFound,
  type Outcome,
  type StatusCause,
} from "./status.js";
import { KubeStore, isoNow, type KubeObject, type StoredObject } from "./store.js";
import { serveSubresource } from "./subresources.js";
import { toTable, wantsTable } from "./table.js";

export interface Route {
  def?: ResourceDef;
  namespace?: string;
  name?: string;
  sub?: string;
}

/** Parses /api/v1/... and /apis/G/V/... into resource, namespace, name, subresource. */
export function parseResourcePath(path: string): Route | undefined {
  const segs = path.split("/").filter(Boolean);
  let group = "",
    version: string,
    rest: string[];
  if (segs[0] === "api" && segs[1] === "v1") {
    version = "v1";
    rest = segs.slice(2);
  } else if (segs[0] === "apis" && segs.length >= 3) {
    group = segs[1];
    version = segs[2];
    rest = segs.slice(3);
  } else return undefined;
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

const PATCH_TYPES = new Set([
  "application/json-patch+json",
  "application/merge-patch+json",
  "application/strategic-merge-patch+json",
  "application/apply-patch+yaml",
]);

const groupVersion = (def: ResourceDef) => (def.group ? `${def.group}/${def.version}` : def.version);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Who wrote an object, for managedFields: the fieldManager asked for, else the client's name. */
function manager(req: SandboxRequest): string {
  const fm = req.url.searchParams.get("fieldManager");
  if (fm) return fm;
  const ua = String(req.headers["user-agent"] ?? "unknown");
  return ua.split("/")[0] || "unknown";
}

export class KubeApi {
  readonly store: KubeStore;
  readonly env: KubeEnv;
  constructor(readonly ctx: ServiceContext) {
    this.store = new KubeStore(ctx);
    this.env = { ctx, store: this.store };
  }

  /** Serves an authenticated, authorized request; `user` is who makes it (none: anonymous). */
  async handle(req: SandboxRequest, user?: KubeUser): Promise<SandboxResponse> {
    this.store.reconcile();
    const p = req.path.replace(/\/+$/, "") || "/";
    if (req.method === "GET" || req.method === "HEAD") {
      const d = this.discovery(p);
      if (d) return d;
    }
    const route = parseResourcePath(p);
    if (!route) return pageNotFound();
    if (!route.def) return requestNotFound();
    const { def, namespace: ns, name, sub } = route;
    if (ns && req.method !== "GET" && !this.store.get("namespaces", undefined, ns)) return notFound("namespaces", ns);
    if (sub) return serveSubresource(this.env, req, def, ns, name!, sub);
    const kind = kindOf(def.name);
    if (kind.serve) return kind.serve({ ...this.env, user }, req, name);
    const dryRun = req.url.searchParams.getAll("dryRun").includes("All");
    switch (req.method) {
      case "GET":
      case "HEAD":
        return name ? this.getOne(req, def, ns, name) : this.list(req, def, ns);
      case "POST":
        return name ? methodNotAllowed() : this.create(req, def, ns, dryRun);
      case "PUT":
        return name ? this.update(req, def, ns, name, dryRun) : methodNotAllowed();
      case "PATCH":
        return name ? this.patch(req, def, ns, name, dryRun) : methodNotAllowed();
      case "DELETE":
        return name ? this.delete(def, ns, name, dryRun) : methodNotAllowed();
      default:
        return methodNotAllowed();
    }
  }

  /** Discovery and OpenAPI documents; undefined for any other path. */
  private discovery(p: string): SandboxResponse | undefined {
    if (p === "/version") return ok(versionInfo());
    if (["/healthz", "/readyz", "/livez"].includes(p)) return { status: 200, headers: { "content-type": "text/plain; charset=utf-8" }, body: "ok" };
    // plain application/json (not apidiscovery.k8s.io/v2): kubectl and client-node fall back to legacy discovery
    if (p === "/api") return ok(apiVersions(new URL(this.ctx.info.kubeServer).host));
    if (p === "/apis") return ok(apiGroupList());
    if (p === "/api/v1") return ok(resourceList("", "v1"));
    const g = /^\/apis\/([^/]+)$/.exec(p);
    if (g) return apiGroup(g[1]) ? ok(apiGroup(g[1])) : requestNotFound();
    const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
    if (gv) return resourceList(gv[1], gv[2]) ? ok(resourceList(gv[1], gv[2])) : requestNotFound();
    if (p === "/openapi/v3") return ok(openapiV3Index());
    const oa = /^\/openapi\/v3\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(p);
    if (oa) {
      const doc = oa[1] ? openapiV3Document("", "v1") : openapiV3Document(oa[2], oa[3]);
      if (doc) return ok(doc);
    }
    if (p.startsWith("/openapi")) return pageNotFound();
    return undefined;
  }

  private getOne(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string): SandboxResponse {
    const obj = this.store.get(def.name, ns, name);
    if (!obj) return notFound(def.name, name, def.group);
    if (wantsTable(req.headers.accept))
      return ok(
        toTable(def.name, [obj], this.ctx.now(), { resourceVersion: obj.metadata.resourceVersion }, req.url.searchParams.get("includeObject") ?? "Metadata"),
      );
    return ok(obj);
  }

  /** Watch answers are not streamed (a SandboxResponse is one body), so a watch from resourceVersion N
   *  is held until some object changes after N (or a short timeout) and then ends; clients re-watch
   *  as after any watch timeout. Without a resourceVersion the current objects come back as ADDED. */
  private async watch(req: SandboxRequest, def: ResourceDef, ns: string | undefined, initial: StoredObject[]): Promise<SandboxResponse> {
    const q = req.url.searchParams;
    const since = Number(q.get("resourceVersion") || "0");
    const events = (items: KubeObject[], type: string) => items.map((o) => JSON.stringify({ type, object: o }) + "\n").join("");
    const reply = (body: string): SandboxResponse => ({ status: 200, headers: { "content-type": "application/json" }, body });
    if (!since) return reply(events(initial, "ADDED"));
    const apiVersion = groupVersion(def);
    const deadline = Date.now() + Math.min(Number(q.get("timeoutSeconds")) || 5, 1) * 1000;
    for (;;) {
      this.store.reconcile();
      const r = await this.list(req, def, ns, true);
      const all = (r.body as { items?: StoredObject[] } | undefined)?.items ?? [];
      const changed = all.filter((o) => Number(o.metadata.resourceVersion) > since).map((o) => ({ apiVersion, kind: def.kind, ...o }));
      if (changed.length || Date.now() >= deadline || r.status !== 200) {
        // a trailing bookmark (when allowed) tells the client how far this watch got
        const bookmark =
          q.get("allowWatchBookmarks") === "true"
            ? JSON.stringify({
                type: "BOOKMARK",
                object: { kind: def.kind, apiVersion, metadata: { resourceVersion: String(this.ctx.world.state.kube.resourceVersion) } },
              }) + "\n"
            : "";
        return reply(events(changed, "MODIFIED") + bookmark);
      }
      await sleep(100);
    }
  }

  private list(req: SandboxRequest, def: ResourceDef, ns: string | undefined, plain = false): SandboxResponse | Promise<SandboxResponse> {
    const q = req.url.searchParams;
    let items = this.store.list(def.name, ns);
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
    if (!plain && wantsTable(req.headers.accept))
      return ok(toTable(def.name, items, this.ctx.now(), { resourceVersion: rv }, q.get("includeObject") ?? "Metadata"));
    const strip = items.map(({ apiVersion: _a, kind: _k, ...rest }) => rest);
    return ok({ kind: `${def.kind}List`, apiVersion: groupVersion(def), metadata: { resourceVersion: rv }, items: strip });
  }

  /** Common checks of a body sent to create/update; takes namespace and name from the URL. */
  private checkBody(def: ResourceDef, body: unknown, ns: string | undefined, name?: string): Outcome<KubeObject> {
    const refuse = (message: string): Outcome<KubeObject> => ({ ok: false, res: badRequest(message) });
    if (!isObject(body)) return refuse(`json: cannot unmarshal ${Array.isArray(body) ? "array" : typeof body} into Go value of type struct`);
    const obj = body as KubeObject;
    const apiVersion = groupVersion(def);
    if (obj.kind !== undefined && obj.kind !== def.kind)
      return refuse(
        `${obj.kind} in version "${def.version}" cannot be handled as a ${def.kind}: no kind "${obj.kind}" is registered for version "${apiVersion}"`,
      );
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion)
      return refuse(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${apiVersion})`);
    obj.metadata ??= {};
    if (def.namespaced) {
      if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns)
        return refuse("the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = ns;
    } else delete obj.metadata.namespace;
    if (name !== undefined && obj.metadata.name && obj.metadata.name !== name)
      return refuse("the name of the object (" + obj.metadata.name + ") does not match the name on the URL (" + name + ")");
    if (name !== undefined) obj.metadata.name = name;
    return { ok: true, value: obj };
  }

  /** Decoder type errors (400), then validation (422): the metadata rules every kind has, then the kind's own. */
  private validate(def: ResourceDef, obj: KubeObject): SandboxResponse | undefined {
    const kind = kindOf(def.name);
    const decodeError = kind.decodeError?.(obj);
    if (decodeError) return badRequest(decodeError);
    const causes: StatusCause[] = [];
    const name = obj.metadata.name ?? "";
    if (!name) causes.push({ reason: "FieldValueRequired", message: "Required value: name or generateName is required", field: "metadata.name" });
    else {
      const err = (kind.nameRule ?? dns1123Subdomain)(name);
      if (err) causes.push({ reason: "FieldValueInvalid", message: `Invalid value: "${name}": ${err}`, field: "metadata.name" });
    }
    for (const [k, v] of Object.entries({ ...(obj.metadata.labels ?? {}), ...(obj.metadata.annotations ?? {}) }))
      if (typeof v !== "string") causes.push({ reason: "FieldValueInvalid", message: `Invalid value: must be a string`, field: `metadata.labels[${k}]` });
    causes.push(...(kind.validate?.(obj) ?? []));
    return causes.length ? invalid(def.kind, name, causes) : undefined;
  }

  private async create(req: SandboxRequest, def: ResourceDef, ns: string | undefined, dryRun: boolean, body?: unknown): Promise<SandboxResponse> {
    let input = body;
    if (input === undefined) {
      const d = decodeBody(req);
      if (!d.ok) return d.res;
      input = d.value;
    }
    const checked = this.checkBody(def, input, ns);
    if (!checked.ok) return checked.res;
    let obj = checked.value;
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + generatedNameSuffix();
    const invalidBody = this.validate(def, obj);
    if (invalidBody) return invalidBody;
    delete obj.metadata.uid;
    delete obj.metadata.resourceVersion;
    delete obj.metadata.creationTimestamp;
    delete obj.metadata.deletionTimestamp;
    if (this.store.get(def.name, obj.metadata.namespace, obj.metadata.name!)) return alreadyExists(def.name, obj.metadata.name!);
    const kind = kindOf(def.name);
    if (kind.admit) {
      const admitted = await kind.admit(this.env, obj);
      if (!admitted.ok) return admitted.res;
      obj = admitted.value;
    }
    const created = this.store.create(def, obj, manager(req), dryRun);
    if (!dryRun) {
      kind.afterCreate?.(this.env, created);
      this.store.afterWrite(def.name, created);
      this.ctx.world.save();
      this.store.reconcile();
    }
    return ok(this.store.get(def.name, created.metadata.namespace, created.metadata.name) ?? created, 201);
  }

  private async update(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string, dryRun: boolean, body?: unknown): Promise<SandboxResponse> {
    const old = this.store.get(def.name, ns, name);
    let input = body;
    if (input === undefined) {
      const d = decodeBody(req);
      if (!d.ok) return d.res;
      input = d.value;
    }
    const checked = this.checkBody(def, input, ns, name);
    if (!checked.ok) return checked.res;
    const obj = checked.value;
    if (!old) return notFound(def.name, name, def.group);
    // optimistic concurrency: a body that names a resourceVersion applies only to that version
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== old.metadata.resourceVersion) return conflict(def.name, name, def.group);
    if (obj.metadata.uid && obj.metadata.uid !== old.metadata.uid) return conflict(def.name, name, def.group);
    const invalidBody = this.validate(def, obj);
    if (invalidBody) return invalidBody;
    obj.apiVersion = old.apiVersion;
    obj.kind = old.kind;
    // where status is a subresource, a write of the object leaves it as it was
    if (def.subresources?.status) obj.status = old.status;
    const refused = kindOf(def.name).checkUpdate?.(old, obj);
    if (refused) return refused;
    return ok(this.store.replace(def, old, obj, dryRun));
  }

  private async patch(req: SandboxRequest, def: ResourceDef, ns: string | undefined, name: string, dryRun: boolean): Promise<SandboxResponse> {
    const ct = mediaType(req);
    if (!PATCH_TYPES.has(ct)) {
      return failure(
        415,
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
        "UnsupportedMediaType",
      );
    }
    let patchBody: unknown;
    try {
      patchBody = ct === "application/apply-patch+yaml" ? parseYaml(req.body.toString("utf8")) : JSON.parse(req.body.toString("utf8"));
    } catch (e) {
      return badRequest(`error decoding patch: ${(e as Error).message.split("\n")[0]}`);
    }
    const old = this.store.get(def.name, ns, name);
    if (ct === "application/apply-patch+yaml") {
      if (!req.url.searchParams.get("fieldManager")) return badRequest("PATCH /apply requires fieldManager");
      if (!old) return this.create(req, def, ns, dryRun, patchBody);
    }
    if (!old) return notFound(def.name, name, def.group);
    let next: unknown;
    if (ct === "application/json-patch+json") {
      const r = jsonPatch(old, patchBody);
      if (!r.ok) return failure(r.code, r.message);
      next = r.value;
    } else if (ct === "application/merge-patch+json") next = mergePatch(old, patchBody);
    else next = strategicMergePatch(old, patchBody); // strategic merge, and apply (as a merge onto the live object)
    if (!isObject(next)) return badRequest("patch produced an invalid object");
    // As kube-apiserver, the patched object is what the update checks: it keeps the stored
    // resourceVersion unless the patch set one (any patch type, a JSON patch's replace included),
    // and a version that is not the stored one is 409 Conflict; a patch that sets none (or null)
    // applies to whatever is current.
    return this.update(req, def, ns, name, dryRun, next as KubeObject);
  }

  private delete(def: ResourceDef, ns: string | undefined, name: string, dryRun: boolean): SandboxResponse {
    const obj = this.store.get(def.name, ns, name);
    if (!obj) return notFound(def.name, name, def.group);
    const kind = kindOf(def.name);
    const refused = kind.checkDelete?.(name);
    if (refused) return refused;
    if (!dryRun) this.store.remove(def.name, ns, name);
    if (kind.graceful) {
      const out = JSON.parse(JSON.stringify(obj)) as StoredObject;
      out.metadata.deletionTimestamp = isoNow(this.ctx.now());
      out.metadata.deletionGracePeriodSeconds = 0;
      return ok(out);
    }
    return ok({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: { name, ...(def.group ? { group: def.group } : {}), kind: def.name, uid: obj.metadata.uid },
    });
  }
}
