// Microsoft.Authorization/roleAssignments at any scope: PUT/GET/DELETE by name (a GUID) and list
// with `$filter=atScope()` / `principalId eq '…'` / `assignedTo('…')`. Azure's rules: one
// assignment per (scope, role, principal) — 409 RoleAssignmentExists naming the existing one; a
// name cannot be reused for different content; a principal Entra has not replicated yet is
// PrincipalNotFound unless the caller says principalType ServicePrincipal.
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxResponse } from "../../../core/types.js";
import type { PrincipalRecord, RoleAssignmentRecord, World } from "../../../core/world.js";
import { key } from "../../../core/world.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { builtInRoleById, roleGuidOf } from "./built-in-roles.js";
import { armError, invalidRequestContent } from "../../errors.js";
import { hasDataActions } from "./role-definitions.js";
import { checkScopeExists, scopeCovers, scopeOf } from "./scope.js";

/** roleAssignments: the versions ARM lists for the type (ascending); @azure/arm-authorization 9.0.0 sends 2022-04-01. */
const ROLE_ASSIGNMENT_API_VERSIONS = [
  "2014-04-01-preview",
  "2014-07-01-preview",
  "2014-10-01-preview",
  "2015-05-01-preview",
  "2015-06-01",
  "2015-07-01",
  "2016-07-01",
  "2017-05-01",
  "2017-09-01",
  "2017-10-01-preview",
  "2018-01-01-preview",
  "2018-07-01",
  "2018-09-01-preview",
  "2018-12-01-preview",
  "2019-04-01-preview",
  "2020-03-01-preview",
  "2020-04-01-preview",
  "2020-08-01-preview",
  "2020-10-01-preview",
  "2021-04-01-preview",
  "2022-01-01-preview",
  "2022-04-01",
] as const;

const AUTHZ = "Microsoft.Authorization";

const isGuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Azure prints principal and role GUIDs in RBAC messages without their dashes. */
const compactGuid = (g: string) => g.replace(/-/g, "").toLowerCase();

/** What the sandbox keeps beyond the shared record: who wrote it, and when it last changed. */
type StoredAssignment = RoleAssignmentRecord & { createdBy?: string; updatedAt?: number };

const PRINCIPAL_TYPES = ["User", "Group", "ServicePrincipal", "ForeignGroup", "Device"];

function roleAssignmentBody(a: StoredAssignment, apiVersion: string): Record<string, unknown> {
  const properties: Record<string, unknown> = { roleDefinitionId: a.roleDefinitionId, principalId: a.principalId };
  if (apiVersion >= "2018-09-01-preview") properties.principalType = a.principalType;
  properties.scope = a.scope;
  if (apiVersion >= "2020-04-01-preview") {
    const created = new Date(a.createdAt).toISOString();
    Object.assign(properties, {
      condition: null,
      conditionVersion: null,
      createdOn: created,
      updatedOn: new Date(a.updatedAt ?? a.createdAt).toISOString(),
      createdBy: a.createdBy ?? null,
      updatedBy: a.createdBy ?? null,
      delegatedManagedIdentityResourceId: null,
      description: a.description ?? null,
    });
  }
  return { properties, id: a.id, type: `${AUTHZ}/roleAssignments`, name: a.name };
}

function principalById(world: World, principalId: string): PrincipalRecord | undefined {
  const id = principalId.toLowerCase();
  return Object.values(world.state.principals).find((p) => p.principalId.toLowerCase() === id);
}

function principalNotFound(world: World, principalId: string): SandboxResponse {
  return armError(
    400,
    "PrincipalNotFound",
    `Principal ${compactGuid(principalId)} does not exist in the directory ${world.state.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
  );
}

const byName = (world: World, name: string): StoredAssignment | undefined => Object.values(world.state.roleAssignments).find((a) => key(a.name) === key(name));

async function putRoleAssignment(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params, apiVersion } = call;
  const { world } = ctx;
  const scope = scopeOf(params.scope);
  const name = params.roleAssignmentName;
  if (!isGuid(name)) return armError(400, "InvalidRoleAssignmentId", `The role assignment ID '${name}' is not valid. The role assignment ID must be a GUID.`);

  const props = call.json?.properties;
  if (!props || typeof props !== "object") {
    return invalidRequestContent("Required property 'properties' not found in JSON.");
  }
  const { roleDefinitionId, principalId, principalType, description } = props;
  if (typeof principalId !== "string" || !isGuid(principalId))
    return armError(400, "InvalidPrincipalId", "A valid principal ID must be provided for role assignment.");
  if (typeof roleDefinitionId !== "string" || !roleGuidOf(roleDefinitionId)) {
    return armError(400, "InvalidRoleDefinitionId", `The role definition ID '${String(roleDefinitionId)}' is not valid.`);
  }
  if (principalType !== undefined && principalType !== null && !PRINCIPAL_TYPES.includes(principalType)) {
    return armError(400, "InvalidPrincipalType", `The principal type '${String(principalType)}' is not valid. Valid values are ${PRINCIPAL_TYPES.join(", ")}.`);
  }

  // Built-in roles are addressed at the tenant root or under this subscription.
  const guid = roleGuidOf(roleDefinitionId)!;
  const role = builtInRoleById(guid);
  const sub = /^\/?subscriptions\/([^/]+)\//i.exec(roleDefinitionId.trim())?.[1];
  if (!role || (sub !== undefined && key(sub) !== key(world.state.subscriptionId))) {
    return armError(400, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${compactGuid(guid)}' does not exist.`);
  }
  if (!hasDataActions(apiVersion) && role.permissions.some((p) => p.dataActions.length > 0 || p.notDataActions.length > 0)) {
    return armError(
      400,
      "UnsupportedApiVersionForRoleDefinitionHasDataActions",
      `Assignments to roles with DataActions and NotDataActions are not supported on API version '${apiVersion}'. The minimum required API version for this operations is '2018-01-01-preview'.`,
    );
  }

  const missingScope = checkScopeExists(world, scope);
  if (missingScope) return missingScope;

  const canonicalRoleId = `/subscriptions/${world.state.subscriptionId}/providers/${AUTHZ}/roleDefinitions/${guid}`;
  const sameContent = (a: RoleAssignmentRecord) =>
    key(a.scope) === key(scope) && roleGuidOf(a.roleDefinitionId) === guid && key(a.principalId) === key(principalId);

  // A name is the assignment's identity: PUT again with the same content answers as a create
  // would; any other content under that name is refused.
  const named = byName(world, name);
  if (named) {
    if (!sameContent(named))
      return armError(409, "RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.");
    return { status: 201, body: roleAssignmentBody(named, apiVersion) };
  }

  const principal = principalById(world, principalId);
  if (!principal) return principalNotFound(world, principalId);
  if (principalType && principalType !== "ServicePrincipal") {
    return armError(
      400,
      "UnmatchedPrincipalType",
      `The PrincipalId '${compactGuid(principalId)}' has type 'ServicePrincipal' , which is different from specified PrincipalType '${principalType}'.`,
    );
  }
  // Entra has not replicated a brand-new principal to every reader yet; naming its type lets
  // Azure skip that lookup. The seeded operator stands for a principal that existed long before.
  const fresh = principal.kind !== "operator" && ctx.now() - principal.createdAt < ctx.latency.principalReplicationMs;
  if (principalType !== "ServicePrincipal" && fresh) {
    return principalNotFound(world, principalId);
  }

  const duplicate = Object.values(world.state.roleAssignments).find(sameContent);
  if (duplicate) {
    return armError(
      409,
      "RoleAssignmentExists",
      `The role assignment already exists. The ID of the existing role assignment is ${compactGuid(duplicate.name)}.`,
    );
  }

  const id = `${scope === "/" ? "" : scope}/providers/${AUTHZ}/roleAssignments/${name}`;
  const now = ctx.now();
  const record: StoredAssignment = {
    id,
    name,
    scope,
    roleDefinitionId: canonicalRoleId,
    principalId,
    principalType: "ServicePrincipal",
    createdAt: now,
    updatedAt: now,
    createdBy: call.caller.oid,
    ...(ctx.latency.rolePropagationMs ? { propagatesAt: now + ctx.latency.rolePropagationMs } : {}),
    ...(typeof description === "string" ? { description } : {}),
  };
  world.state.roleAssignments[key(id)] = record;
  world.save();
  // RBAC stores the assignment, then takes its time to answer.
  await sleep(ctx.latency.roleAssignmentWriteMs);
  return { status: 201, body: roleAssignmentBody(record, apiVersion) };
}

function atScope(world: World, scope: string, name: string): StoredAssignment | undefined {
  const a = byName(world, name);
  return a && key(a.scope) === key(scope) ? a : undefined;
}

function notFound(name: string): SandboxResponse {
  return armError(404, "RoleAssignmentNotFound", `The role assignment '${name}' is not found.`);
}

async function getRoleAssignment(call: ArmCall): Promise<SandboxResponse> {
  const a = atScope(call.ctx.world, scopeOf(call.params.scope), call.params.roleAssignmentName);
  return a ? { status: 200, body: roleAssignmentBody(a, call.apiVersion) } : notFound(call.params.roleAssignmentName);
}

async function deleteRoleAssignment(call: ArmCall): Promise<SandboxResponse> {
  const { world } = call.ctx;
  const a = atScope(world, scopeOf(call.params.scope), call.params.roleAssignmentName);
  if (!a) return { status: 204 };
  delete world.state.roleAssignments[key(a.id)];
  world.save();
  return { status: 200, body: roleAssignmentBody(a, call.apiVersion) };
}

interface AssignmentFilter {
  atScope: boolean;
  principalId?: string;
}

/** `$filter` as the roleAssignments list takes it: atScope(), principalId eq '…', assignedTo('…'), joined by "and". */
export function parseAssignmentFilter(filter: string | null): AssignmentFilter | undefined {
  const f: AssignmentFilter = { atScope: false };
  if (filter === null || filter.trim() === "") return f;
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    const p = part.trim();
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(p)) f.atScope = true;
    else if ((m = /^principalId\s+eq\s+'([^']*)'$/i.exec(p))) f.principalId = m[1];
    else if ((m = /^assignedTo\('([^']*)'\)$/i.exec(p))) f.principalId = m[1];
    else return undefined;
  }
  return f;
}

/** Without atScope(), a list shows assignments at, above and below the scope; with it, at and above. */
export function listAssignments(world: World, scope: string, filter: AssignmentFilter): RoleAssignmentRecord[] {
  return Object.values(world.state.roleAssignments)
    .filter((a) => scopeCovers(a.scope, scope) || (!filter.atScope && scopeCovers(scope, a.scope)))
    .filter((a) => filter.principalId === undefined || key(a.principalId) === key(filter.principalId))
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}

async function listRoleAssignments(call: ArmCall): Promise<SandboxResponse> {
  const raw = call.req.url.searchParams.get("$filter");
  const filter = parseAssignmentFilter(raw);
  if (!filter)
    return armError(
      400,
      "UnsupportedQuery",
      `The filter '${raw}' is not supported. Supported filters are atScope(), principalId eq '{value}' and assignedTo('{value}').`,
    );
  const scope = scopeOf(call.params.scope);
  const missing = checkScopeExists(call.ctx.world, scope);
  if (missing) return missing;
  return { status: 200, body: { value: listAssignments(call.ctx.world, scope, filter).map((a) => roleAssignmentBody(a, call.apiVersion)) } };
}

const verb = (v: "read" | "write" | "delete") => () => `${AUTHZ}/roleAssignments/${v}`;
const ITEM = `{*scope}/providers/${AUTHZ}/roleAssignments/{roleAssignmentName}`;

export const roleAssignmentRoutes: ArmRoute[] = [
  { path: ITEM, methods: ["PUT"], apiVersions: ROLE_ASSIGNMENT_API_VERSIONS, action: verb("write"), handle: putRoleAssignment },
  { path: ITEM, methods: ["GET"], apiVersions: ROLE_ASSIGNMENT_API_VERSIONS, action: verb("read"), handle: getRoleAssignment },
  { path: ITEM, methods: ["DELETE"], apiVersions: ROLE_ASSIGNMENT_API_VERSIONS, action: verb("delete"), handle: deleteRoleAssignment },
  {
    path: `{*scope}/providers/${AUTHZ}/roleAssignments`,
    methods: ["GET"],
    apiVersions: ROLE_ASSIGNMENT_API_VERSIONS,
    action: verb("read"),
    handle: listRoleAssignments,
  },
];
