// Microsoft.Authorization/permissions: the CALLER's effective permissions at a scope — one entry
// per role assignment that applies there. Any signed-in caller may ask, which is how a workload
// proves it holds a data-plane role (Key Vault Secrets User grants no control-plane read at all).
import type { SandboxResponse } from "../../../core/types.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { applicableAssignments, permissionsOf } from "./rbac.js";
import { ROLE_DEFINITION_API_VERSIONS, hasDataActions } from "./role-definitions.js";
import { checkScopeExists, scopeOf } from "./scope.js";

/** permissions: served alongside role definitions (same versions); the SDK sends 2022-04-01. */
const PERMISSIONS_API_VERSIONS = ROLE_DEFINITION_API_VERSIONS;

async function listPermissions(call: ArmCall): Promise<SandboxResponse> {
  const scope = scopeOf(call.params.scope);
  const missing = checkScopeExists(call.ctx.world, scope);
  if (missing) return missing;
  const withData = hasDataActions(call.apiVersion);
  // A new assignment shows in the permissions API only after it has propagated.
  const now = call.ctx.now();
  const value = applicableAssignments(call.ctx.world, call.caller.oid, scope)
    .filter((a) => (a.propagatesAt ?? 0) <= now)
    .sort((a, b) => a.createdAt - b.createdAt)
    .flatMap((a) => permissionsOf(a))
    .map((p) =>
      withData
        ? { actions: [...p.actions], notActions: [...p.notActions], dataActions: [...p.dataActions], notDataActions: [...p.notDataActions] }
        : { actions: [...p.actions], notActions: [...p.notActions] },
    );
  return { status: 200, body: { value } };
}

export const permissionRoutes: ArmRoute[] = [
  {
    path: "{*scope}/providers/Microsoft.Authorization/permissions",
    methods: ["GET"],
    apiVersions: PERMISSIONS_API_VERSIONS,
    handle: listPermissions,
  },
];
