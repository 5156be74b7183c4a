// Microsoft.Authorization as the sandbox's ARM serves it: role definitions (Azure's built-in
// roles), role assignments at any scope, and the caller's effective permissions.
import type { ArmRoute } from "./types.js";
import { roleDefinitionRoutes } from "./authz-definitions.js";
import { roleAssignmentRoutes } from "./authz-assignments.js";
import { permissionRoutes } from "./authz-permissions.js";

export const authorizationRoutes: ArmRoute[] = [...roleDefinitionRoutes, ...roleAssignmentRoutes, ...permissionRoutes];
