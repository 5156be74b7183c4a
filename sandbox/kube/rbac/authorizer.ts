// Kubernetes authorization as kube-apiserver runs it: the request's attributes (as
// k8s.io/apiserver's RequestInfoFactory reads them from the path and method), then the RBAC rules
// that apply — members of system:masters may do anything; every authenticated user has discovery
// and self-reviews; a sandbox user has its ClusterRoles' rules in the namespaces it is bound in.
// A denial is the 403 Status kube-apiserver writes (responsewriters.Forbidden + NewForbidden).
import type { SandboxResponse } from "../../core/types.js";
import type { World } from "../../core/world.js";
import { failure } from "../status.js";
import { AUTHENTICATED_ROLES, CLUSTER_ROLES, type PolicyRule } from "./cluster-roles.js";
import { azureRbacDecision } from "./azure-rbac.js";

export interface KubeUser {
  name: string;
  groups: string[];
  /** An Entra user (named by its object ID) of a cluster with Azure RBAC: where Kubernetes RBAC
   *  does not allow, its Azure role assignments decide (azure-rbac.ts). */
  azureRbac?: boolean;
}

/** The group whose members kube-apiserver lets do anything, before RBAC is asked. */
export const SYSTEM_MASTERS = "system:masters";

export interface Attributes {
  verb: string;
  resourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

/** Subresources of a namespace, which stay on the namespace rather than naming a resource in it. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/** The attributes of a request, as RequestInfoFactory.NewRequestInfo derives them. `upgrade`:
 *  a WebSocket upgrade (exec), which kube-apiserver authorizes as create. */
export function requestAttributes(method: string, path: string, query: URLSearchParams, upgrade = false): Attributes {
  const parts = path.split("/").filter(Boolean);
  const base: Attributes = {
    verb: method.toLowerCase(),
    resourceRequest: false,
    path,
    apiGroup: "",
    apiVersion: "",
    resource: "",
    subresource: "",
    namespace: "",
    name: "",
  };
  let rest: string[];
  if (parts[0] === "api" && parts.length >= 2) {
    base.apiVersion = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    base.apiGroup = parts[1];
    base.apiVersion = parts[2];
    rest = parts.slice(3);
  } else return base;
  if (rest.length === 0) return base; // discovery of a group version is a non-resource request
  const a: Attributes = { ...base, resourceRequest: true };
  if (rest[0] === "namespaces" && rest.length > 1) {
    a.namespace = rest[1];
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2])) rest = rest.slice(2);
  }
  a.resource = rest[0] ?? "";
  a.name = rest[1] ?? "";
  a.subresource = rest[2] ?? "";
  const m = method.toUpperCase();
  const watch = query.get("watch") === "true" || query.get("watch") === "1";
  if (upgrade) a.verb = "create";
  else if (m === "GET" || m === "HEAD") a.verb = a.name ? "get" : watch ? "watch" : "list";
  else if (m === "POST") a.verb = "create";
  else if (m === "PUT") a.verb = "update";
  else if (m === "PATCH") a.verb = "patch";
  else if (m === "DELETE") a.verb = a.name ? "delete" : "deletecollection";
  return a;
}

const has = (list: string[] | undefined, value: string) => !!list && (list.includes("*") || list.includes(value));

function resourceMatches(rule: PolicyRule, a: Attributes): boolean {
  const resources = rule.resources ?? [];
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (resources.includes("*") || resources.includes(combined)) return true;
  return !!a.subresource && resources.includes(`*/${a.subresource}`);
}

/** rbac.RuleAllows: verbs, API group, resource (subresource included) and names; or the non-resource URL. */
export function ruleAllows(rule: PolicyRule, a: Attributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) {
    return (rule.nonResourceURLs ?? []).some((u) => u === "*" || u === a.path || (u.endsWith("*") && a.path.startsWith(u.slice(0, -1))));
  }
  if (rule.nonResourceURLs && !rule.resources) return false;
  if (!has(rule.apiGroups, a.apiGroup) || !resourceMatches(rule, a)) return false;
  return !rule.resourceNames?.length || rule.resourceNames.includes(a.name);
}

/** A denial's reason, when the authorizer that denied gives one (AKS's Azure RBAC webhook does). */
export type Decision = { allowed: true; reason: string } | { allowed: false; reason?: string };

/** Whether `user` may do what `a` describes: Kubernetes RBAC, then, on a cluster with Azure RBAC,
 *  the Azure role assignments (AKS runs its webhook authorizer after RBAC: both can allow). */
export function authorize(world: World, user: KubeUser, a: Attributes, now = Date.now()): Decision {
  const rbac = kubernetesRbac(world, user, a);
  if (rbac.allowed || !user.azureRbac) return rbac;
  return azureRbacDecision(world, user, a, now);
}

function kubernetesRbac(world: World, user: KubeUser, a: Attributes): Decision {
  if (user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: "" };
  for (const [role, rules] of Object.entries(AUTHENTICATED_ROLES)) {
    if (rules.some((r) => ruleAllows(r, a)))
      return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${role}" of ClusterRole "${role}" to Group "system:authenticated"` };
  }
  const record = world.state.kube.users?.[user.name];
  for (const b of record?.bindings ?? []) {
    // a RoleBinding grants its ClusterRole's rules in its own namespace only
    if (!a.namespace || a.namespace !== b.namespace) continue;
    if ((CLUSTER_ROLES[b.clusterRole] ?? []).some((r) => ruleAllows(r, a))) {
      return {
        allowed: true,
        reason: `RBAC: allowed by RoleBinding "${user.name}-${b.clusterRole}/${b.namespace}" of ClusterRole "${b.clusterRole}" to User "${user.name}"`,
      };
    }
  }
  return { allowed: false };
}

/** kube-apiserver's 403: `<resource>[.<group>] ["<name>"] is forbidden: User "<u>" cannot <verb> …`,
 *  then `: <reason>` when the authorizer gave one (responsewriters.Forbidden). */
export function forbidden(user: KubeUser, a: Attributes, reason?: string): SandboxResponse {
  const why = reason ? `: ${reason}` : "";
  if (!a.resourceRequest) return failure(403, `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"${why}`, "Forbidden", {});
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : "at the cluster scope";
  const denied = `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
  const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  const message = `${a.name ? `${qualified} "${a.name}"` : qualified} is forbidden: ${denied}${why}`;
  return failure(403, message, "Forbidden", { ...(a.name ? { name: a.name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource });
}
