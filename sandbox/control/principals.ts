// Principals with less than Owner, made in the running sandbox as a tenant administrator would:
// an Entra service principal with a client secret, exactly the role assignments asked for (built-in
// roles by name or GUID, at scopes that exist), and optionally a Kubernetes user that a RoleBinding
// to Kubernetes' default `edit` or `view` ClusterRole confines to one namespace (made if missing).
// The credentials are answered once and kept in DIR/principals/NAME.json (0600); the world keeps
// only the hashes of the secret and of the user's token.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { PrincipalCredentials, PrincipalSpec } from "../info.js";
import type { ServiceContext } from "../core/types.js";
import { writePrivate } from "../core/files.js";
import { key, type RoleAssignmentRecord } from "../core/world.js";
import { builtInRoleById, builtInRoleByName } from "../arm/providers/authorization/built-in-roles.js";
import { checkScopeExists, normalizeScope } from "../arm/providers/authorization/scope.js";
import { findResource } from "../kube/discovery.js";
import { kindOf } from "../kube/kinds/index.js";
import { buildUserKubeconfig } from "../kube/kubeconfig.js";
import { dns1123Label } from "../kube/names.js";
import { BINDABLE_ROLES } from "../kube/rbac/cluster-roles.js";
import { KubeStore } from "../kube/store.js";

export type Refusal = { status: number; code: string; message: string };

const NAME_RULE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export const principalsDir = (dir: string) => join(dir, "principals");

interface Resolved {
  roleId: string;
  roleName: string;
  scope: string;
}

/** Each requested role as a built-in role at an existing scope, or what is wrong with it. */
function resolveRoles(ctx: ServiceContext, spec: PrincipalSpec): Resolved[] | Refusal {
  const out: Resolved[] = [];
  for (const r of spec.roles) {
    const role = builtInRoleById(r.role.toLowerCase()) ?? builtInRoleByName(r.role);
    if (!role)
      return {
        status: 400,
        code: "RoleNotFound",
        message: `unknown role "${r.role}": give the name or GUID of one of the sandbox's built-in roles (e.g. "Contributor", "Reader", "Key Vault Secrets User")`,
      };
    const scope = normalizeScope(r.scope ?? `/subscriptions/${ctx.world.state.subscriptionId}`);
    if (!scope.toLowerCase().startsWith(`/subscriptions/${ctx.world.state.subscriptionId.toLowerCase()}`)) {
      return {
        status: 400,
        code: "InvalidScope",
        message: `scope "${scope}" is not in the sandbox's subscription /subscriptions/${ctx.world.state.subscriptionId}`,
      };
    }
    const missing = checkScopeExists(ctx.world, scope);
    if (missing) return { status: 400, code: "InvalidScope", message: `scope "${scope}": ${(missing.body as { error: { message: string } }).error.message}` };
    out.push({ roleId: role.id, roleName: role.roleName, scope });
  }
  return out;
}

function checkSpec(spec: PrincipalSpec): Refusal | undefined {
  if (typeof spec?.name !== "string" || !NAME_RULE.test(spec.name)) {
    return {
      status: 400,
      code: "InvalidName",
      message: `principal name "${spec?.name ?? ""}" is not valid: use lower-case letters, digits and hyphens, starting and ending with a letter or digit, at most 63 characters`,
    };
  }
  if (!Array.isArray(spec.roles) || spec.roles.some((r) => typeof r?.role !== "string" || (r.scope !== undefined && typeof r.scope !== "string"))) {
    return { status: 400, code: "InvalidRoles", message: "roles must be a list of { role, scope? }" };
  }
  if (spec.kube) {
    const nsError = dns1123Label(String(spec.kube.namespace ?? ""));
    if (nsError) return { status: 400, code: "InvalidNamespace", message: `Kubernetes namespace "${spec.kube.namespace ?? ""}" is not valid: ${nsError}` };
    if (!BINDABLE_ROLES.includes(spec.kube.role))
      return { status: 400, code: "InvalidKubeRole", message: `Kubernetes role "${spec.kube.role}" is not one of ${BINDABLE_ROLES.join(", ")}` };
  }
  return undefined;
}

/** Makes the principal (and its Kubernetes user), or says why not; nothing is made on a refusal. */
export function createPrincipal(ctx: ServiceContext, dir: string, spec: PrincipalSpec): PrincipalCredentials | Refusal {
  const bad = checkSpec(spec);
  if (bad) return bad;
  const { world } = ctx;
  const file = join(principalsDir(dir), `${spec.name}.json`);
  const taken = Object.values(world.state.principals).some((p) => p.displayName === spec.name) || !!world.state.kube.users?.[spec.name];
  if (taken || existsSync(file))
    return { status: 409, code: "PrincipalExists", message: `a principal named "${spec.name}" already exists in this sandbox (${file})` };
  const roles = resolveRoles(ctx, spec);
  if (!Array.isArray(roles)) return roles;

  const clientId = randomUUID();
  const objectId = randomUUID();
  const clientSecret = randomBytes(32).toString("base64url");
  const now = ctx.now();
  world.state.principals[key(clientId)] = {
    clientId,
    principalId: objectId,
    displayName: spec.name,
    kind: "servicePrincipal",
    secretSha256: sha256(clientSecret),
    createdAt: now,
  };
  for (const r of roles) {
    const name = randomUUID();
    const id = `${r.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    const assignment: RoleAssignmentRecord = {
      id,
      name,
      scope: r.scope,
      principalId: objectId,
      principalType: "ServicePrincipal",
      createdAt: now,
      roleDefinitionId: `/subscriptions/${world.state.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${r.roleId}`,
      description: `aks-wi sandbox principal ${spec.name}: ${r.roleName}`,
    };
    world.state.roleAssignments[key(id)] = assignment;
  }

  const credentials: PrincipalCredentials = { clientId, clientSecret, tenantId: world.state.tenantId, objectId };
  mkdirSync(principalsDir(dir), { recursive: true, mode: 0o700 });
  if (spec.kube) {
    const token = randomBytes(32).toString("hex");
    (world.state.kube.users ??= {})[spec.name] = {
      name: spec.name,
      tokenSha256: sha256(token),
      bindings: [{ namespace: spec.kube.namespace, clusterRole: spec.kube.role }],
      createdAt: now,
    };
    ensureNamespace(ctx, spec.kube.namespace);
    credentials.kubeconfig = join(principalsDir(dir), `${spec.name}.kubeconfig`);
    writePrivate(credentials.kubeconfig, buildUserKubeconfig(ctx, spec.name, token, spec.kube.namespace));
  }
  world.save();
  writePrivate(file, JSON.stringify(credentials, null, 2) + "\n");
  return credentials;
}

/** The user's namespace, made (with its default service account) if it does not exist yet. */
function ensureNamespace(ctx: ServiceContext, namespace: string): void {
  const store = new KubeStore(ctx);
  store.reconcile();
  if (store.get("namespaces", undefined, namespace)) return;
  const created = store.create(findResource("", "v1", "namespaces")!, store.namespaceObject(namespace), "aks-wi-sandbox");
  kindOf("namespaces").afterCreate?.({ ctx, store }, created);
}
