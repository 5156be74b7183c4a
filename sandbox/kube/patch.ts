// The three PATCH flavours kube-apiserver accepts for built-in types. Each returns the patched
// object or an error message (the caller turns it into a Status); none throws on bad input.
type Json = any;
export type PatchResult = { ok: true; value: Json } | { ok: false; code: 400 | 422 | 415; message: string };

const isObj = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, Json> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** List fields whose strategic-merge key is known (k8s.io/api patchMergeKey tags). */
const mergeKeys: Record<string, string> = {
  containers: "name",
  initContainers: "name",
  ephemeralContainers: "name",
  env: "name",
  volumes: "name",
  volumeMounts: "mountPath",
  ports: "containerPort",
  imagePullSecrets: "name",
  secrets: "name",
  conditions: "type",
  tolerations: "key",
  hostAliases: "ip",
  envFrom: "",
  finalizers: "",
};

/** Strategic merge patch: merge patch, except lists with a merge key merge element-wise by it,
 *  `$patch: delete|replace` directives and `$retainKeys`/`$setElementOrder` are honoured loosely. */
export function strategicMergePatch(target: Json, patch: Json, field = ""): Json {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === "replace") {
    const p = clone(patch);
    delete p.$patch;
    return p;
  }
  if (patch.$patch === "delete") return undefined;
  const out: Record<string, Json> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith("$setElementOrder/") || k === "$retainKeys") continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[f]) && Array.isArray(v)) out[f] = out[f].filter((x: Json) => !v.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const mk = mergeKeys[k];
    if (Array.isArray(v) && mk !== undefined && Array.isArray(out[k])) {
      out[k] = mergeList(out[k], v, mk, k);
    } else if (isObj(v)) {
      const merged = strategicMergePatch(out[k], v, k);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else out[k] = clone(v);
  }
  void field;
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string, field: string): Json[] {
  if (key === "") {
    // primitive list with merge strategy: union
    const out = clone(current);
    for (const p of patch) if (!out.some((x: Json) => JSON.stringify(x) === JSON.stringify(p))) out.push(clone(p));
    return out;
  }
  const out = clone(current);
  for (const p of patch) {
    if (!isObj(p)) continue;
    if (p.$patch === "replace") return patch.filter((x) => isObj(x) && x.$patch !== "replace");
    const i = out.findIndex((x: Json) => isObj(x) && x[key] === p[key]);
    if (p.$patch === "delete") {
      if (i >= 0) out.splice(i, 1);
      continue;
    }
    if (i >= 0) out[i] = strategicMergePatch(out[i], p, field);
    else {
      const n = clone(p);
      out.push(n);
    }
  }
  return out;
}

/** RFC 6902 JSON patch (add, remove, replace, move, copy, test). */
export function jsonPatch(target: Json, ops: Json): PatchResult {
  if (!Array.isArray(ops)) return { ok: false, code: 400, message: "json: cannot unmarshal object into Go value of type jsonpatch.Patch" };
  let doc = clone(target);
  for (const op of ops) {
    if (!isObj(op) || typeof op.op !== "string" || typeof op.path !== "string")
      return { ok: false, code: 422, message: "the server rejected our request due to an error in our request" };
    const r = applyOp(doc, op);
    if (!r.ok) return r;
    doc = r.value;
  }
  return { ok: true, value: doc };
}

const unescape = (s: string) => s.replace(/~1/g, "/").replace(/~0/g, "~");
function parsePointer(p: string): string[] | undefined {
  if (p === "") return [];
  if (!p.startsWith("/")) return undefined;
  return p.slice(1).split("/").map(unescape);
}

function getAt(doc: Json, parts: string[]): { found: boolean; value?: Json } {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) {
      const i = Number(p);
      if (!Number.isInteger(i) || i < 0 || i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (isObj(cur) && p in cur) cur = cur[p];
    else return { found: false };
  }
  return { found: true, value: cur };
}

function applyOp(doc: Json, op: Record<string, Json>): PatchResult {
  const parts = parsePointer(op.path);
  const bad = (message: string): PatchResult => ({ ok: false, code: 422, message });
  if (!parts) return bad(`invalid JSON pointer: ${op.path}`);
  switch (op.op) {
    case "add":
      return set(doc, parts, clone(op.value), true);
    case "replace": {
      if (!getAt(doc, parts).found) return bad(`replace operation does not apply: doc is missing key: ${op.path}: missing value`);
      return set(doc, parts, clone(op.value), false);
    }
    case "remove":
      return remove(doc, parts, op.path);
    case "test": {
      const g = getAt(doc, parts);
      return g.found && JSON.stringify(g.value) === JSON.stringify(op.value) ? { ok: true, value: doc } : bad(`testing value ${op.path} failed: test failed`);
    }
    case "move":
    case "copy": {
      const from = typeof op.from === "string" ? parsePointer(op.from) : undefined;
      if (!from) return bad("missing from");
      const g = getAt(doc, from);
      if (!g.found) return bad(`${op.op} operation does not apply: doc is missing from path: ${op.from}`);
      let d = doc;
      if (op.op === "move") {
        const r = remove(d, from, op.from);
        if (!r.ok) return r;
        d = r.value;
      }
      return set(d, parts, clone(g.value), true);
    }
    default:
      return bad(`Unexpected kind: ${op.op}`);
  }
}

function set(doc: Json, parts: string[], value: Json, insert: boolean): PatchResult {
  if (parts.length === 0) return { ok: true, value };
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1];
  if (!parent.found) return { ok: false, code: 422, message: `add operation does not apply: doc is missing path: "/${parts.join("/")}": missing value` };
  const p = parent.value;
  if (Array.isArray(p)) {
    const i = last === "-" ? p.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > p.length) return { ok: false, code: 422, message: `add operation does not apply: index out of bounds` };
    if (insert) p.splice(i, 0, value);
    else p[i] = value;
  } else if (isObj(p)) p[last] = value;
  else return { ok: false, code: 422, message: "add operation does not apply: parent is not a container" };
  return { ok: true, value: doc };
}

function remove(doc: Json, parts: string[], path: string): PatchResult {
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1];
  if (!parent.found || !getAt(doc, parts).found)
    return { ok: false, code: 422, message: `remove operation does not apply: doc is missing path: "${path}": missing value` };
  if (Array.isArray(parent.value)) parent.value.splice(Number(last), 1);
  else delete parent.value[last];
  return { ok: true, value: doc };
}
