// Microsoft.Authorization/roleDefinitions: list at any scope (with `$filter=roleName eq '…'` and
// `type eq 'BuiltInRole'`) and GET by ID, serving Azure's built-in roles with their real GUIDs.
import type { SandboxResponse } from "../../../core/types.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { BUILT_IN_ROLES, builtInRoleById, type BuiltInRole } from "./built-in-roles.js";
import { armError } from "../../errors.js";
import { scopeOf } from "./scope.js";

/** roleDefinitions: ARM's list for the type (ascending); @azure/arm-authorization 9.0.0 sends 2022-04-01. */
export const ROLE_DEFINITION_API_VERSIONS = [
  "2014-04-01-preview",
  "2014-07-01-preview",
  "2014-10-01-preview",
  "2015-05-01-preview",
  "2015-06-01",
  "2015-07-01",
  "2016-07-01",
  "2017-05-01",
  "2017-09-01",
  "2018-01-01-preview",
  "2018-07-01",
  "2022-04-01",
  "2022-05-01-preview",
] as const;

/** DataActions exist in the authorization API from 2018-01-01-preview on. */
export const hasDataActions = (apiVersion: string) => apiVersion >= "2018-01-01-preview";

const AUTHZ = "Microsoft.Authorization";

/** A role definition's ID as seen from a scope: `{scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`. */
function roleDefinitionIdAt(scope: string, guid: string): string {
  const prefix = scope === "/" ? "" : scope;
  return `${prefix}/providers/${AUTHZ}/roleDefinitions/${guid}`;
}

function roleDefinitionBody(role: BuiltInRole, scope: string, apiVersion: string): Record<string, unknown> {
  const withData = hasDataActions(apiVersion);
  return {
    properties: {
      roleName: role.roleName,
      type: "BuiltInRole",
      description: role.description,
      assignableScopes: ["/"],
      permissions: role.permissions.map((p) =>
        withData
          ? { actions: [...p.actions], notActions: [...p.notActions], dataActions: [...p.dataActions], notDataActions: [...p.notDataActions] }
          : { actions: [...p.actions], notActions: [...p.notActions] },
      ),
    },
    id: roleDefinitionIdAt(scope, role.id),
    type: `${AUTHZ}/roleDefinitions`,
    name: role.id,
  };
}

type Clause = { field: "roleName" | "type"; value: string };

/** The filters the roleDefinitions list understands, joined by "and". */
export function parseRoleDefinitionFilter(filter: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const part of filter.trim().split(/\s+and\s+/i)) {
    const m = /^(roleName|type)\s+eq\s+'((?:[^']|'')*)'$/i.exec(part.trim());
    if (!m) return undefined;
    clauses.push({ field: m[1].toLowerCase() === "rolename" ? "roleName" : "type", value: m[2].replace(/''/g, "'") });
  }
  return clauses;
}

function listRoleDefinitions(call: ArmCall, scope: string): SandboxResponse {
  const filter = call.req.url.searchParams.get("$filter");
  let roles: readonly BuiltInRole[] = BUILT_IN_ROLES;
  if (filter !== null && filter.trim() !== "") {
    const clauses = parseRoleDefinitionFilter(filter);
    if (!clauses)
      return armError(
        400,
        "BadRequest",
        `The filter '${filter}' is not supported. Supported filters are roleName eq '{value}' and type eq 'BuiltInRole|CustomRole'.`,
      );
    roles = roles.filter((r) =>
      clauses.every((c) => (c.field === "roleName" ? r.roleName.toLowerCase() === c.value.toLowerCase() : c.value.toLowerCase() === "builtinrole")),
    );
  }
  return { status: 200, body: { value: roles.map((r) => roleDefinitionBody(r, scope, call.apiVersion)) } };
}

function getRoleDefinition(call: ArmCall, scope: string): SandboxResponse {
  const id = call.params.roleDefinitionId;
  const role = builtInRoleById(id);
  if (!role) return armError(404, "RoleDefinitionDoesNotExist", `The specified role definition with ID '${id}' does not exist.`);
  return { status: 200, body: roleDefinitionBody(role, scope, call.apiVersion) };
}

const read = () => `${AUTHZ}/roleDefinitions/read`;

export const roleDefinitionRoutes: ArmRoute[] = [
  {
    path: `{*scope}/providers/${AUTHZ}/roleDefinitions`,
    methods: ["GET"],
    apiVersions: ROLE_DEFINITION_API_VERSIONS,
    action: read,
    scope: (call) => scopeOf(call.params.scope),
    handle: async (call) => listRoleDefinitions(call, scopeOf(call.params.scope)),
  },
  {
    path: `{*scope}/providers/${AUTHZ}/roleDefinitions/{roleDefinitionId}`,
    methods: ["GET"],
    apiVersions: ROLE_DEFINITION_API_VERSIONS,
    action: read,
    scope: (call) => scopeOf(call.params.scope),
    handle: async (call) => getRoleDefinition(call, scopeOf(call.params.scope)),
  },
  // Tenant level: built-in definitions are readable by any signed-in caller there.
  {
    path: `/providers/${AUTHZ}/roleDefinitions`,
    methods: ["GET"],
    apiVersions: ROLE_DEFINITION_API_VERSIONS,
    handle: async (call) => listRoleDefinitions(call, "/"),
  },
  {
    path: `/providers/${AUTHZ}/roleDefinitions/{roleDefinitionId}`,
    methods: ["GET"],
    apiVersions: ROLE_DEFINITION_API_VERSIONS,
    handle: async (call) => getRoleDefinition(call, "/"),
  },
];
