// Microsoft.ManagedIdentity/userAssignedIdentities: PUT (201 create / 200 update), PATCH, GET,
// DELETE, list by resource group and by subscription. Creating an identity also creates its
// Entra service principal (world.state.principals), which Entra and RBAC then know by its IDs.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxResponse } from "../../../core/types.js";
import type { IdentityRecord, World } from "../../../core/world.js";
import { key } from "../../../core/world.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { armError, resourceNotFound } from "../../errors.js";
import { policyDenial } from "../policy/require-tag.js";

/** Every version in azure-rest-api-specs (msi), ascending; @azure/arm-msi 2.2.0 sends 2024-11-30. */
export const IDENTITY_API_VERSIONS = [
  "2015-08-31-preview",
  "2018-11-30",
  "2021-09-30-preview",
  "2022-01-31-preview",
  "2023-01-31",
  "2023-07-31-preview",
  "2024-11-30",
  "2025-01-31-preview",
  "2025-05-31-preview",
  "2026-04-30",
  "2026-05-31",
] as const;

const NS = "Microsoft.ManagedIdentity";
export const IDENTITY_TYPE = `${NS}/userAssignedIdentities`;
const RG_PATH = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";
export const IDENTITY_PATH = `${RG_PATH}/providers/${IDENTITY_TYPE}/{resourceName}`;

/** The MSI resource provider answers with "resourcegroups" in lower case in the IDs it returns. */
function identityIdOf(subscriptionId: string, resourceGroup: string, name: string): string {
  return `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/${IDENTITY_TYPE}/${name}`;
}

export function findIdentity(world: World, subscriptionId: string, resourceGroup: string, name: string): IdentityRecord | undefined {
  return world.state.identities[key(identityIdOf(subscriptionId, resourceGroup, name))];
}

/** The canonical resource group name (as created), falling back to the caller's spelling. */
function resourceGroupName(world: World, subscriptionId: string, resourceGroup: string): string {
  const rg = world.state.resourceGroups[key(`/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}`)];
  return rg?.name ?? resourceGroup;
}

// Azure's naming rule for user-assigned identities: 3–128 characters, letters, digits, hyphens and
// underscores, starting with a letter or digit.
const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;

function identityBody(i: IdentityRecord): Record<string, unknown> {
  return {
    location: i.location,
    tags: i.tags ?? {},
    id: i.id,
    name: i.name,
    type: IDENTITY_TYPE,
    properties: { tenantId: i.tenantId, principalId: i.principalId, clientId: i.clientId },
  };
}

/** ARM stores locations in their short form ("East US" → "eastus"). */
const normalizeLocation = (l: string) => l.replace(/\s+/g, "").toLowerCase();

function validTags(tags: unknown): tags is Record<string, string> | undefined {
  return tags === undefined || tags === null || (typeof tags === "object" && !Array.isArray(tags) && Object.values(tags).every((v) => typeof v === "string"));
}

async function putIdentity(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const { world } = ctx;
  const name = params.resourceName;
  // Azure Policy runs in ARM, before the resource provider validates anything
  const denied = policyDenial(ctx, {
    id: identityIdOf(params.subscriptionId, params.resourceGroupName, name),
    name,
    type: IDENTITY_TYPE,
    tags: call.json?.tags ?? undefined,
  });
  if (denied) return denied;
  if (!NAME_RULE.test(name)) {
    return armError(
      400,
      "InvalidResourceName",
      `Resource name '${name}' is invalid. The name can be 3-128 characters long, must start with a letter or number, and can contain only letters, numbers, underscores and hyphens.`,
    );
  }
  const body = call.json;
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    return armError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: 'Request body is missing or is not a JSON object.'.",
    );
  }
  if (typeof body.location !== "string" || body.location.trim() === "") {
    return armError(400, "LocationRequired", "The location property is required for this definition.");
  }
  if (!validTags(body.tags))
    return armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'tags must be an object of string values.'.");

  const location = normalizeLocation(body.location);
  const existing = findIdentity(world, params.subscriptionId, params.resourceGroupName, name);
  if (existing && existing.location !== location) {
    return armError(
      400,
      "InvalidResourceLocation",
      `The resource '${name}' already exists in location '${existing.location}' in resource group '${existing.resourceGroup}'. A resource with the same name cannot be created in location '${location}'. Please select a new resource name.`,
    );
  }

  // The write takes Azure's time before it answers; the record lands at the end of it (and a
  // concurrent PUT of the same name that landed meanwhile turns this one into an update).
  await sleep(ctx.latency.identityWriteMs);

  const current = findIdentity(world, params.subscriptionId, params.resourceGroupName, name);
  if (current) {
    current.tags = body.tags ?? {};
    world.save();
    return { status: 200, body: identityBody(current) };
  }
  const now = ctx.now();
  const rg = resourceGroupName(world, params.subscriptionId, params.resourceGroupName);
  const record: IdentityRecord = {
    id: identityIdOf(params.subscriptionId, rg, name),
    name,
    resourceGroup: rg,
    location,
    tags: body.tags ?? {},
    clientId: randomUUID(),
    principalId: randomUUID(),
    tenantId: world.state.tenantId,
    createdAt: now,
  };
  world.state.identities[key(record.id)] = record;
  world.state.principals[key(record.clientId)] = {
    clientId: record.clientId,
    principalId: record.principalId,
    displayName: name,
    kind: "managedIdentity",
    createdAt: now,
  };
  world.save();
  return { status: 201, body: identityBody(record) };
}

async function patchIdentity(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const existing = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!existing) return resourceNotFound(IDENTITY_TYPE, params.resourceName, params.resourceGroupName);
  const body = call.json ?? {};
  if (typeof body !== "object" || Array.isArray(body) || !validTags(body.tags)) {
    return armError(400, "InvalidRequestContent", "The request content was invalid and could not be deserialized: 'tags must be an object of string values.'.");
  }
  // a PATCH is evaluated over the identity as it would be after it
  const denied = policyDenial(ctx, {
    id: existing.id,
    name: existing.name,
    type: IDENTITY_TYPE,
    tags: body.tags !== undefined ? (body.tags ?? {}) : existing.tags,
  });
  if (denied) return denied;
  await sleep(ctx.latency.identityWriteMs);
  if (body.tags !== undefined) existing.tags = body.tags ?? {};
  ctx.world.save();
  return { status: 200, body: identityBody(existing) };
}

async function getIdentity(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const existing = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!existing) return resourceNotFound(IDENTITY_TYPE, params.resourceName, params.resourceGroupName);
  return { status: 200, body: identityBody(existing) };
}

/** Deleting an identity deletes its service principal and federated credentials with it;
 *  role assignments naming it stay behind, as on Azure (they show as "Identity not found"). */
function deleteIdentityRecord(world: World, identity: IdentityRecord): void {
  const k = key(identity.id);
  delete world.state.identities[k];
  delete world.state.principals[key(identity.clientId)];
  for (const [fk, f] of Object.entries(world.state.federatedCredentials)) if (f.identityKey === k) delete world.state.federatedCredentials[fk];
}

async function deleteIdentity(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const existing = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!existing) return { status: 204 };
  await sleep(ctx.latency.identityWriteMs);
  deleteIdentityRecord(ctx.world, existing);
  ctx.world.save();
  return { status: 200 };
}

function listIdentities(call: ArmCall, resourceGroup?: string): SandboxResponse {
  const value = Object.values(call.ctx.world.state.identities)
    .filter((i) => resourceGroup === undefined || key(i.resourceGroup) === key(resourceGroup))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(identityBody);
  return { status: 200, body: { value } };
}

const action = (verb: "read" | "write" | "delete") => () => `${IDENTITY_TYPE}/${verb}`;

export const userAssignedIdentityRoutes: ArmRoute[] = [
  {
    path: IDENTITY_PATH,
    methods: ["PUT"],
    apiVersions: IDENTITY_API_VERSIONS,
    action: action("write"),
    handle: putIdentity,
  },
  {
    path: IDENTITY_PATH,
    methods: ["PATCH"],
    apiVersions: IDENTITY_API_VERSIONS,
    action: action("write"),
    handle: patchIdentity,
  },
  {
    path: IDENTITY_PATH,
    methods: ["GET"],
    apiVersions: IDENTITY_API_VERSIONS,
    action: action("read"),
    handle: getIdentity,
  },
  {
    path: IDENTITY_PATH,
    methods: ["DELETE"],
    apiVersions: IDENTITY_API_VERSIONS,
    action: action("delete"),
    handle: deleteIdentity,
  },
  {
    path: `${RG_PATH}/providers/${NS}/userAssignedIdentities`,
    methods: ["GET"],
    apiVersions: IDENTITY_API_VERSIONS,
    action: action("read"),
    handle: async (call) => listIdentities(call, call.params.resourceGroupName),
  },
  {
    path: `/subscriptions/{subscriptionId}/providers/${NS}/userAssignedIdentities`,
    methods: ["GET"],
    apiVersions: IDENTITY_API_VERSIONS,
    action: action("read"),
    handle: async (call) => listIdentities(call),
  },
];
