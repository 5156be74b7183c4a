// Microsoft.Resources/subscriptions/resourceGroups: list (what the caller may read), GET/HEAD and
// PUT (201 create, 200 update; the location of an existing group cannot change).
import type { ArmCall, ArmRoute } from "../../route.js";
import { key, subscriptionIds, type ResourceGroupRecord } from "../../../core/world.js";
import { isPermitted } from "../authorization/rbac.js";
import { armError, invalidRequestContent, locationRequired, missingBody, resourceGroupNotFound } from "../../errors.js";

/** Microsoft.Resources' resources.json (resource groups, providers, generic resources), ascending,
 *  from azure-rest-api-specs (@azure/arm-resources 7 sends 2025-04-01, az 2.45 2021-04-01). */
export const RESOURCE_GROUP_API_VERSIONS = [
  "2014-04-01",
  "2014-04-01-preview",
  "2015-01-01",
  "2015-11-01",
  "2016-02-01",
  "2016-06-01",
  "2016-07-01",
  "2016-09-01",
  "2017-05-10",
  "2017-06-01",
  "2017-08-01",
  "2018-02-01",
  "2018-05-01",
  "2018-06-01",
  "2018-07-01",
  "2018-08-01",
  "2018-09-01",
  "2018-11-01",
  "2019-03-01",
  "2019-05-01",
  "2019-05-10",
  "2019-06-01",
  "2019-07-01",
  "2019-08-01",
  "2019-09-01",
  "2019-10-01",
  "2019-11-01",
  "2020-01-01",
  "2020-06-01",
  "2020-07-01",
  "2020-08-01",
  "2020-09-01",
  "2020-10-01",
  "2021-01-01",
  "2021-04-01",
  "2022-01-01",
  "2022-03-01-preview",
  "2022-09-01",
  "2022-12-01",
  "2023-07-01",
  "2024-03-01",
  "2024-07-01",
  "2024-11-01",
  "2025-01-01",
  "2025-03-01",
  "2025-04-01",
] as const;

const READ = "Microsoft.Resources/subscriptions/resourceGroups/read";

function groupBody(g: ResourceGroupRecord) {
  return {
    id: g.id,
    name: g.name,
    type: "Microsoft.Resources/resourceGroups",
    location: g.location,
    ...(g.tags ? { tags: g.tags } : {}),
    properties: { provisioningState: "Succeeded" },
  };
}

/** The subscription as the world spells it (the router has checked that it exists). */
const subscriptionOf = (call: ArmCall) =>
  subscriptionIds(call.ctx.world.state).find((s) => key(s) === key(call.params.subscriptionId)) ?? call.params.subscriptionId;
const rgId = (call: ArmCall) => `/subscriptions/${subscriptionOf(call)}/resourceGroups/${call.params.resourceGroupName}`;

function validTags(tags: unknown): tags is Record<string, string> | undefined {
  return tags === undefined || (typeof tags === "object" && tags !== null && !Array.isArray(tags) && Object.values(tags).every((v) => typeof v === "string"));
}

export const resourceGroupRoutes: ArmRoute[] = [
  {
    path: "/subscriptions/{subscriptionId}/resourcegroups",
    methods: ["GET"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    async handle(call) {
      const sub = `/subscriptions/${subscriptionOf(call)}`;
      const all = Object.values(call.ctx.world.state.resourceGroups).filter((g) => key(g.id).startsWith(key(sub) + "/"));
      // ARM lists the groups the caller may read: all of them with read at the subscription,
      // else those it may read one by one.
      const readAll = isPermitted(call.ctx.world, call.caller.oid, sub, READ);
      const visible = readAll ? all : all.filter((g) => isPermitted(call.ctx.world, call.caller.oid, g.id, READ));
      return { status: 200, body: { value: visible.map(groupBody) } };
    },
  },
  {
    path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
    methods: ["GET", "HEAD"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    action: () => READ,
    async handle(call) {
      const g = call.ctx.world.state.resourceGroups[key(rgId(call))];
      if (call.req.method.toUpperCase() === "HEAD") return { status: g ? 204 : 404 };
      return g ? { status: 200, body: groupBody(g) } : resourceGroupNotFound(call.params.resourceGroupName);
    },
  },
  {
    path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
    methods: ["PUT"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    action: () => "Microsoft.Resources/subscriptions/resourceGroups/write",
    async handle(call) {
      const name = call.params.resourceGroupName;
      if (!/^[-\w._()]{1,90}$/u.test(name) || name.endsWith(".")) {
        return armError(
          400,
          "InvalidResourceGroup",
          `The provided resource group name '${name}' has these invalid characters: '${name.replace(/[-\w._()]/gu, "")}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`,
        );
      }
      const body = call.json;
      if (!body || typeof body !== "object" || Array.isArray(body)) return missingBody();
      if (typeof body.location !== "string" || !body.location) return locationRequired();
      if (!validTags(body.tags)) return invalidRequestContent("tags must be an object of strings");
      const id = rgId(call);
      const groups = call.ctx.world.state.resourceGroups;
      const existing = groups[key(id)];
      const location = String(body.location).toLowerCase().replace(/\s+/g, "");
      if (existing && existing.location !== location) {
        return armError(
          409,
          "InvalidResourceGroupLocation",
          `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`,
        );
      }
      const record: ResourceGroupRecord = { id: existing?.id ?? id, name: existing?.name ?? name, location, ...(body.tags ? { tags: body.tags } : {}) };
      groups[key(id)] = record;
      call.ctx.world.save();
      return { status: existing ? 200 : 201, body: groupBody(record) };
    },
  },
];
