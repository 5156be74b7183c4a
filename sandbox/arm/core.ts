// Microsoft.Resources: subscriptions, tenants, resource groups, and GET of the seeded generic
// resources (Key Vault, storage account) — shaped as @azure/arm-resources(-subscriptions) expect.
import type { SandboxResponse } from "../core/types.js";
import type { ArmCall, ArmRoute } from "./types.js";
import { key, type GenericResourceRecord, type ResourceGroupRecord } from "../core/world.js";
import { isPermitted } from "./rbac.js";
import { KEY_VAULT_API_VERSIONS, RESOURCE_GROUP_API_VERSIONS, STORAGE_API_VERSIONS, SUBSCRIPTION_API_VERSIONS } from "./apiVersions.js";
import { armError, resourceGroupNotFound, resourceNotFound } from "./errors.js";

const ok = (body: unknown, status = 200): SandboxResponse => ({ status, body });

/** True when the caller holds any role assignment in the subscription (ARM lists only those). */
function hasAnyRoleIn(call: ArmCall, subscriptionId: string): boolean {
  const sub = key(`/subscriptions/${subscriptionId}`);
  return Object.values(call.ctx.world.state.roleAssignments).some(
    (a) => key(a.principalId) === key(call.caller.oid) && (key(a.scope) === sub || key(a.scope).startsWith(sub + "/")),
  );
}

function subscriptionBody(call: ArmCall) {
  const s = call.ctx.world.state;
  return {
    id: `/subscriptions/${s.subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId: s.subscriptionId,
    tenantId: s.tenantId,
    displayName: s.subscriptionName,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

function visibleSubscription(call: ArmCall): boolean {
  const s = call.ctx.world.state;
  return key(String(call.caller.tid)) === key(s.tenantId) && hasAnyRoleIn(call, s.subscriptionId);
}

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

function genericBody(r: GenericResourceRecord) {
  return { id: r.id, name: r.name, type: r.type, location: r.location, ...(r.tags ? { tags: r.tags } : {}), properties: r.properties };
}

const rgId = (call: ArmCall) => `/subscriptions/${call.ctx.world.state.subscriptionId}/resourceGroups/${call.params.resourceGroupName}`;

function validTags(tags: unknown): tags is Record<string, string> | undefined {
  return tags === undefined || (typeof tags === "object" && tags !== null && !Array.isArray(tags) && Object.values(tags).every((v) => typeof v === "string"));
}

/** GET of one seeded generic resource type under a resource group. */
function genericRoute(namespace: string, type: string, apiVersions: readonly string[]): ArmRoute {
  return {
    path: `/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/${namespace}/${type}/{resourceName}`,
    methods: ["GET"],
    apiVersions,
    action: () => `${namespace}/${type}/read`,
    async handle(call) {
      const id = `${rgId(call)}/providers/${namespace}/${type}/${call.params.resourceName}`;
      const r = call.ctx.world.state.resources[key(id)];
      if (!r) return resourceNotFound(`${namespace}/${type}`, call.params.resourceName, call.params.resourceGroupName);
      return ok(genericBody(r));
    },
  };
}

export const coreRoutes: ArmRoute[] = [
  {
    path: "/subscriptions",
    methods: ["GET"],
    apiVersions: SUBSCRIPTION_API_VERSIONS,
    async handle(call) {
      return ok({ value: visibleSubscription(call) ? [subscriptionBody(call)] : [], count: { type: "Total", value: visibleSubscription(call) ? 1 : 0 } });
    },
  },
  {
    path: "/subscriptions/{subscriptionId}",
    methods: ["GET"],
    apiVersions: SUBSCRIPTION_API_VERSIONS,
    async handle(call) {
      // The router already answered SubscriptionNotFound for any other ID.
      if (!hasAnyRoleIn(call, call.ctx.world.state.subscriptionId)) {
        return armError(404, "SubscriptionNotFound", `The subscription '${call.params.subscriptionId}' could not be found.`);
      }
      return ok(subscriptionBody(call));
    },
  },
  {
    path: "/tenants",
    methods: ["GET"],
    apiVersions: SUBSCRIPTION_API_VERSIONS,
    async handle(call) {
      const s = call.ctx.world.state;
      const tid = String(call.caller.tid);
      const isHome = key(tid) === key(s.tenantId);
      const domain = isHome ? "akswisandbox.onmicrosoft.com" : "akswiforeign.onmicrosoft.com";
      return ok({
        value: [
          {
            id: `/tenants/${tid}`,
            tenantId: tid,
            countryCode: "US",
            displayName: isHome ? "aks-wi sandbox" : "aks-wi sandbox (foreign)",
            domains: [domain],
            tenantCategory: "Home",
            defaultDomain: domain,
            tenantType: "AAD",
          },
        ],
      });
    },
  },
  {
    path: "/subscriptions/{subscriptionId}/resourcegroups",
    methods: ["GET"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    async handle(call) {
      const s = call.ctx.world.state;
      const sub = `/subscriptions/${s.subscriptionId}`;
      const all = Object.values(s.resourceGroups);
      // ARM lists the groups the caller may read: all of them with read at the subscription,
      // else those it may read one by one.
      const readAll = isPermitted(call.ctx.world, call.caller.oid, sub, "Microsoft.Resources/subscriptions/resourceGroups/read");
      const visible = readAll ? all : all.filter((g) => isPermitted(call.ctx.world, call.caller.oid, g.id, "Microsoft.Resources/subscriptions/resourceGroups/read"));
      return ok({ value: visible.map(groupBody) });
    },
  },
  {
    path: "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}",
    methods: ["GET", "HEAD"],
    apiVersions: RESOURCE_GROUP_API_VERSIONS,
    action: () => "Microsoft.Resources/subscriptions/resourceGroups/read",
    async handle(call) {
      const g = call.ctx.world.state.resourceGroups[key(rgId(call))];
      if (call.req.method.toUpperCase() === "HEAD") return { status: g ? 204 : 404 };
      return g ? ok(groupBody(g)) : resourceGroupNotFound(call.params.resourceGroupName);
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
        return armError(400, "InvalidResourceGroup", `The provided resource group name '${name}' has these invalid characters: '${name.replace(/[-\w._()]/gu, "")}'. The name can only be a letter, digit, '-', '.', '(', ')' or '_'.`);
      }
      const body = call.json;
      if (!body || typeof body !== "object" || Array.isArray(body)) return armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'Missing request body.'.");
      if (typeof body.location !== "string" || !body.location) return armError(400, "LocationRequired", "The location property is required for this definition.");
      if (!validTags(body.tags)) return armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'tags must be an object of strings'.");
      const id = rgId(call);
      const groups = call.ctx.world.state.resourceGroups;
      const existing = groups[key(id)];
      const location = String(body.location).toLowerCase().replace(/\s+/g, "");
      if (existing && existing.location !== location) {
        return armError(409, "InvalidResourceGroupLocation", `Invalid resource group location '${location}'. The Resource group already exists in location '${existing.location}'.`);
      }
      const record: ResourceGroupRecord = { id: existing?.id ?? id, name: existing?.name ?? name, location, ...(body.tags ? { tags: body.tags } : {}) };
      groups[key(id)] = record;
      call.ctx.world.save();
      return ok(groupBody(record), existing ? 200 : 201);
    },
  },
  genericRoute("Microsoft.KeyVault", "vaults", KEY_VAULT_API_VERSIONS),
  genericRoute("Microsoft.Storage", "storageAccounts", STORAGE_API_VERSIONS),
];
