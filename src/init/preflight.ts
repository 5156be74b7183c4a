// Permission preflight: before any change, every write the plan holds is checked against what the
// caller may do, so a Contributor (who cannot grant roles) is stopped before the cluster update
// that cannot be undone, not with a 403 half-way through.
//
// ARM: `GET {scope}/providers/Microsoft.Authorization/permissions` returns one entry per role
// assignment that applies to the caller at the scope; an action is allowed when some entry lists
// it in `actions` (wildcards allowed) and the same entry does not exclude it in `notActions`
// (https://learn.microsoft.com/azure/role-based-access-control/role-definitions#notactions).
// Conditions on role assignments (ABAC, e.g. the delegation conditions of "Role Based Access
// Control Administrator") and deny assignments are not visible this way: a write can still be
// refused at apply time, and the message says so.
// Kubernetes: a SelfSubjectAccessReview per (verb, resource, namespace), as `kubectl auth can-i`.

import type { AccessQuestion, ArmPermission } from "../core/ports.js";

export type EffectivePermissions = ArmPermission;

export interface ArmNeed {
  plane: "arm";
  /** e.g. "Microsoft.ManagedIdentity/userAssignedIdentities/write" */
  action: string;
  /** The ARM scope the write lands on (or the nearest existing parent, when it does not exist yet). */
  scope: string;
}

export interface KubeNeed extends AccessQuestion {
  plane: "kube";
}

export type Need = ArmNeed | KubeNeed;

export interface PermissionProbe {
  armPermissions(scope: string): Promise<EffectivePermissions[]>;
  kubeCanI(need: KubeNeed): Promise<boolean>;
}

/** Azure's action wildcard match: `*` matches any run of characters; case-insensitive. */
export function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return re.test(action);
}

export function isPermitted(perms: readonly EffectivePermissions[], action: string): boolean {
  return perms.some((p) => p.actions.some((a) => actionMatches(a, action)) && !p.notActions.some((n) => actionMatches(n, action)));
}

/** A built-in role that grants the action, named in the fix (ids: Azure built-in roles reference). */
const ARM_ROLE_HINTS: [pattern: string, role: string][] = [
  ["Microsoft.ContainerService/managedClusters/write", "Azure Kubernetes Service Contributor Role"],
  ["Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write", "Managed Identity Contributor"],
  ["Microsoft.ManagedIdentity/userAssignedIdentities/write", "Managed Identity Contributor"],
  ["Microsoft.Authorization/roleAssignments/write", "Role Based Access Control Administrator"],
];

export function roleHint(action: string): string | undefined {
  return ARM_ROLE_HINTS.find(([p]) => actionMatches(p, action))?.[1];
}

export function describeNeed(n: Need): string {
  if (n.plane === "arm") {
    const role = roleHint(n.action);
    return `${n.action} at ${n.scope}${role ? ` (granted by "${role}")` : ""}`;
  }
  const where = n.namespace ? ` in namespace ${n.namespace}` : " (cluster-wide)";
  return `Kubernetes: ${n.verb} ${n.resource}${where} (kubectl auth can-i ${n.verb} ${n.resource}${n.namespace ? ` -n ${n.namespace}` : ""})`;
}

const needKey = (n: Need) => (n.plane === "arm" ? `arm|${n.action}|${n.scope}`.toLowerCase() : `kube|${n.verb}|${n.resource}|${n.namespace ?? ""}`);

/** The needs the caller lacks, each probed once (one permissions read per scope). */
export async function missingPermissions(needs: readonly Need[], probe: PermissionProbe): Promise<Need[]> {
  const unique = [...new Map(needs.map((n) => [needKey(n), n])).values()];
  // One read per scope (keyed case-insensitively, sent as first written).
  const scopes = new Map<string, string>();
  for (const n of unique) if (n.plane === "arm" && !scopes.has(n.scope.toLowerCase())) scopes.set(n.scope.toLowerCase(), n.scope);
  const kube = unique.filter((n): n is KubeNeed => n.plane === "kube");
  const [armResults, kubeResults] = await Promise.all([
    Promise.all([...scopes.values()].map((s) => probe.armPermissions(s))),
    Promise.all(kube.map((k) => probe.kubeCanI(k))),
  ]);
  const byScope = new Map<string, EffectivePermissions[]>([...scopes.keys()].map((s, i) => [s, armResults[i]!]));
  const missing: Need[] = [];
  for (const n of unique) {
    if (n.plane === "arm" && !isPermitted(byScope.get(n.scope.toLowerCase())!, n.action)) missing.push(n);
  }
  kube.forEach((k, i) => {
    if (!kubeResults[i]) missing.push(k);
  });
  return missing;
}

export const CONDITIONS_NOTE =
  "conditions on role assignments and deny assignments are not visible to this check, so a write can still be refused when it is made";
