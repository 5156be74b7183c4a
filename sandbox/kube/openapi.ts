// A minimal OpenAPI v3 surface: the index kubectl 1.32 reads, and per group-version documents
// whose PATCH operations carry x-kubernetes-group-version-kind and the fieldValidation parameter —
// which is what kubectl checks to choose server-side field validation. Schemas are left out;
// kubectl then falls back to its compiled-in types for strategic merge patches.
import { createHash } from "node:crypto";
import { RESOURCES } from "./discovery.js";

const gvPath = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

export function openapiV3Document(group: string, version: string) {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!defs.length) return undefined;
  const base = "/" + gvPath(group, version);
  const paths: Record<string, unknown> = {};
  const param = (name: string) => ({ name, in: "query", schema: { type: "string", uniqueItems: true } });
  for (const r of defs) {
    const gvk = { group, version, kind: r.kind };
    const item = r.namespaced ? `${base}/namespaces/{namespace}/${r.name}/{name}` : `${base}/${r.name}/{name}`;
    const coll = r.namespaced ? `${base}/namespaces/{namespace}/${r.name}` : `${base}/${r.name}`;
    const op = (action: string) => ({
      operationId: `${action}${r.kind}`,
      tags: [gvPath(group, version)],
      "x-kubernetes-action": action,
      "x-kubernetes-group-version-kind": gvk,
      parameters: [param("dryRun"), param("fieldManager"), param("fieldValidation")],
      responses: { "200": { description: "OK" } },
    });
    paths[item] = {
      get: op("get"),
      put: op("put"),
      patch: {
        ...op("patch"),
        parameters: [
          param("dryRun"),
          param("fieldManager"),
          param("fieldValidation"),
          { name: "force", in: "query", schema: { type: "boolean", uniqueItems: true } },
        ],
      },
      delete: op("delete"),
    };
    paths[coll] = { get: op("list"), post: op("post") };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "v1.32.6" }, paths, components: { schemas: {} } };
}

export function openapiV3Index() {
  const gvs = [...new Set(RESOURCES.map((r) => `${r.group}|${r.version}`))].map((s) => s.split("|") as [string, string]);
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [g, v] of gvs) {
    const hash = createHash("sha512")
      .update(JSON.stringify(openapiV3Document(g, v)))
      .digest("hex")
      .toUpperCase()
      .slice(0, 128);
    paths[gvPath(g, v)] = { serverRelativeURL: `/openapi/v3/${gvPath(g, v)}?hash=${hash}` };
  }
  return { paths };
}
