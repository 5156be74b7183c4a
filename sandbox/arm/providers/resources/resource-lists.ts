// Microsoft.Resources' generic resource lists: every tracked resource of the subscription or of
// one resource group (Resources_List, Resources_ListByResourceGroup in azure-rest-api-specs
// Microsoft.Resources/stable/2021-04-01/resources.json) — what `az resource list -g` reads, and
// what `az keyvault show/set-policy --name KV` without -g search with
// `$filter=resourceType eq 'Microsoft.KeyVault/vaults'`. Items are GenericResourceExpanded: id,
// name, type, location, tags and, where the resource has them, kind, sku and identity;
// createdTime, changedTime and provisioningState only when `$expand` asks. ARM lists what the
// caller may read (each type's read action at the resource). Child resources (federated
// credentials) are not tracked resources and are not listed. A filter ARM would not evaluate
// here is refused, as ARM refuses it, rather than ignored.
import type { ArmCall, ArmRoute } from "../../route.js";
import type { World } from "../../../core/world.js";
import { armError } from "../../errors.js";
import { isPermitted } from "../authorization/rbac.js";
import { RESOURCE_GROUP_API_VERSIONS } from "./resource-groups.js";

interface Tracked {
  id: string;
  name: string;
  type: string;
  location: string;
  resourceGroup: string;
  tags?: Record<string, string>;
  kind?: string;
  sku?: unknown;
  identity?: unknown;
  createdTime?: string;
  provisioningState?: string;
}

/** `/subscriptions/S/resource[gG]roups/RG/providers/…` with the group as ARM spells it ("resourceGroups", its canonical name). */
function canonicalId(world: World, id: string): { id: string; resourceGroup: string } {
  const m = /^\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)(\/.*)$/i.exec(id);
  if (!m) return { id, resourceGroup: "" };
  const rg = world.state.resourceGroups[`/subscriptions/${m[1]}/resourcegroups/${m[2]}`.toLowerCase()]?.name ?? m[2];
  return { id: `/subscriptions/${m[1]}/resourceGroups/${rg}${m[3]}`, resourceGroup: rg };
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** Every tracked resource of the world: the seeded generic ones, clusters and identities. */
export function trackedResources(world: World): Tracked[] {
  const s = world.state;
  const out: Tracked[] = [];
  for (const r of Object.values(s.resources))
    out.push({
      ...canonicalId(world, r.id),
      name: r.name,
      type: r.type,
      location: r.location,
      tags: r.tags,
      provisioningState: String(r.properties.provisioningState ?? "Succeeded"),
    });
  for (const c of Object.values(s.clusters)) {
    const b = c.body;
    out.push({
      ...canonicalId(world, c.id),
      name: b.name,
      type: b.type ?? "Microsoft.ContainerService/managedClusters",
      location: b.location,
      tags: b.tags,
      sku: b.sku,
      identity: b.identity,
      provisioningState: b.properties?.provisioningState,
    });
  }
  for (const i of Object.values(s.identities))
    out.push({
      ...canonicalId(world, i.id),
      name: i.name,
      type: "Microsoft.ManagedIdentity/userAssignedIdentities",
      location: i.location,
      tags: i.tags ?? {},
      createdTime: iso(i.createdAt),
      provisioningState: "Succeeded",
    });
  return out.sort((a, b) => a.id.toLowerCase().localeCompare(b.id.toLowerCase()));
}

type Clause = (r: Tracked) => boolean;
const FIELDS: Record<string, (r: Tracked) => string | undefined> = {
  resourcetype: (r) => r.type,
  name: (r) => r.name,
  resourcegroup: (r) => r.resourceGroup,
  location: (r) => r.location,
};

/** The `$filter` ARM takes on resource lists, as far as the sandbox evaluates it: `and` of
 *  `resourceType|name|resourceGroup|location eq '…'`, `tagName eq '…' [and tagValue eq '…']`
 *  and `substringof('…', name|resourceGroup)`; keywords in any case, values case-insensitive. */
export function parseResourceFilter(filter: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  let tagName: string | undefined;
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    let m = /^(\w+)\s+eq\s+'((?:[^']|'')*)'$/i.exec(part.trim());
    if (m) {
      const field = m[1].toLowerCase();
      const value = m[2].replace(/''/g, "'").toLowerCase();
      if (field === "tagname") {
        tagName = value;
        clauses.push((r) => Object.keys(r.tags ?? {}).some((k) => k.toLowerCase() === value));
        continue;
      }
      if (field === "tagvalue") {
        const name = tagName;
        if (name === undefined) return undefined;
        clauses.push((r) => Object.entries(r.tags ?? {}).some(([k, v]) => k.toLowerCase() === name && v.toLowerCase() === value));
        continue;
      }
      const get = FIELDS[field];
      if (!get) return undefined;
      clauses.push((r) => (get(r) ?? "").toLowerCase() === value);
      continue;
    }
    m = /^substringof\(\s*'((?:[^']|'')*)'\s*,\s*(name|resourceGroup)\s*\)$/i.exec(part.trim());
    if (!m) return undefined;
    const value = m[1].replace(/''/g, "'").toLowerCase();
    const get = FIELDS[m[2].toLowerCase()];
    clauses.push((r) => (get(r) ?? "").toLowerCase().includes(value));
  }
  return clauses;
}

function item(r: Tracked, expand: Set<string>) {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    ...(r.kind ? { kind: r.kind } : {}),
    location: r.location,
    ...(r.sku ? { sku: r.sku } : {}),
    ...(r.identity ? { identity: r.identity } : {}),
    ...(r.tags ? { tags: r.tags } : {}),
    ...(expand.has("createdtime") && r.createdTime ? { createdTime: r.createdTime } : {}),
    ...(expand.has("changedtime") && r.createdTime ? { changedTime: r.createdTime } : {}),
    ...(expand.has("provisioningstate") && r.provisioningState ? { provisioningState: r.provisioningState } : {}),
  };
}

function list(call: ArmCall, resourceGroup?: string) {
  const filter = call.req.url.searchParams.get("$filter");
  const clauses = filter ? parseResourceFilter(filter) : [];
  if (!clauses) return armError(400, "InvalidFilterInQueryString", `The filter '${filter}' is invalid.`);
  const expand = new Set(
    (call.req.url.searchParams.get("$expand") ?? "")
      .split(",")
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const { world } = call.ctx;
  const rows = trackedResources(world)
    .filter((r) => resourceGroup === undefined || r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase())
    .filter((r) => clauses.every((c) => c(r)))
    .filter((r) => isPermitted(world, call.caller.oid, r.id, `${r.type}/read`));
  return { status: 200, body: { value: rows.map((r) => item(r, expand)) } };
}

export const resourceListRoutes: ArmRoute[] = [
  {
    path: "/subscriptions/{subscriptionId}/resources",
    methods: ["GET"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    async handle(call) {
      return list(call);
    },
  },
  {
    path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/resources",
    methods: ["GET"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    async handle(call) {
      return list(call, call.params.resourceGroupName);
    },
  },
];
