// Check 7: with the workload's own ARM token, each role is shown to work at its scope: Azure's
// permissions API (what the caller may do there) must cover what the role grants. This works for
// data-plane roles too (Key Vault Secrets User grants no control-plane read at all).
import type { Facts, Finding, RoleAccessFacts } from "./types.js";
import { couldNotCheck, finding, sh, wasTransient } from "./util.js";

/** True when an effective permission pattern (possibly with `*`) covers a role's action. */
export function covers(pattern: string, action: string): boolean {
  if (pattern.toLowerCase() === action.toLowerCase()) return true;
  const re = new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
    "i",
  );
  return re.test(action);
}

/** Actions of the role that the caller's effective permissions at the scope do not allow. */
export function uncovered(r: RoleAccessFacts): string[] {
  const eff = r.effective ?? [];
  const allowed = (list: string[] | undefined, kind: "actions" | "dataActions") =>
    (list ?? []).filter((a) => !eff.some((p) => p[kind].some((pat) => covers(pat, a))));
  return [...allowed(r.roleActions, "actions"), ...allowed(r.roleDataActions, "dataActions")];
}

const short = (scope: string) => scope.split("/").slice(-1)[0] || scope;

export function checkAccess(facts: Facts): Finding[] {
  const a = facts.access;
  if (!a || a.skipped) return [finding("access", "SKIP", "access-skipped", a?.skipped ?? "no ARM token from the exchange")];
  if (a.error && wasTransient(facts, "access")) return [couldNotCheck("access", "access-transient", "reading the identity's role assignments", a.error)];
  if (a.error) return [finding("access", "FAIL", "access-error", a.error, { fix: "re-run with AKS_WI_DEBUG=1 for details" })];
  if (a.forbidden)
    return [
      finding("access", "SKIP", "access-forbidden", `not checked: ${a.forbidden}`, {
        fix: "name the roles (aks-wi init --role … --state), or run verify as a principal with Microsoft.Authorization/roleAssignments/read there (Reader)",
      }),
    ];
  const principal = facts.identity?.principalId ?? "<principal ID>";
  if (!a.roles.length) {
    // Much access through workload identity is no ARM role: Key Vault access policies, Cosmos DB
    // data-plane roles, Storage ACLs, SQL users. Signing in works (the exchange proved it).
    return [
      finding(
        "access",
        "WARN",
        "no-roles",
        `identity ${facts.identity?.name ?? ""} holds no Azure role assignment, and none was asked for; its access cannot be proved here (access policies, Cosmos DB data-plane roles, Storage ACLs or database users are not ARM role assignments)`,
        {
          expected: "a role assignment, if the workload needs an Azure RBAC role",
          actual: "none",
          fix: `if it needs one: az role assignment create --assignee-object-id ${principal} --assignee-principal-type ServicePrincipal --role <role> --scope <resource ID> (or aks-wi init --role ROLE --scope ID)`,
        },
      ),
    ];
  }
  return a.roles.map((r) => {
    const assign = `az role assignment create --assignee-object-id ${principal} --assignee-principal-type ServicePrincipal --role ${sh(r.role)} --scope ${sh(r.scope)}`;
    if (r.error && r.transient) return couldNotCheck("access", "role-transient", `${r.role} at ${short(r.scope)}`, r.error);
    if (r.error) return finding("access", "FAIL", "role-error", `${r.role} at ${short(r.scope)}: ${r.error}`, { fix: assign });
    if (r.forbidden)
      return finding("access", "SKIP", "role-forbidden", `${r.role} at ${short(r.scope)} not checked: ${r.forbidden}`, {
        fix: `run verify as a principal with Microsoft.Authorization/roleAssignments/read and roleDefinitions/read at ${r.scope} (Reader)`,
      });
    const missing = uncovered(r);
    const granted = (r.effective ?? []).length > 0;
    if ((!granted || missing.length) && r.propagating) {
      return finding(
        "access",
        "WARN",
        "role-propagating",
        `${r.role} at ${short(r.scope)} is assigned (${r.propagating.assignedAt}) but not yet in the workload's permissions after waiting ${Math.round(r.propagating.waitedMs / 1000)} s: role assignments take up to 10 minutes to propagate`,
        {
          expected: `${r.role} at ${r.scope}`,
          actual: granted ? `not allowed yet: ${missing.join(", ")}` : "no permissions yet",
          fix: "re-run aks-wi verify in a few minutes (the assignment exists: do not create it again)",
        },
      );
    }
    if (!granted || missing.length) {
      const elsewhere = (r.assignedAt ?? []).filter((s) => s.toLowerCase() !== r.scope.toLowerCase());
      const narrower = elsewhere.filter((s) => s.toLowerCase().startsWith(`${r.scope.toLowerCase()}/`));
      const id = narrower.length ? "role-narrower-scope" : elsewhere.length ? "role-other-scope" : "role-missing";
      const actual = elsewhere.length
        ? `${r.role} assigned only at ${elsewhere.join(", ")}`
        : granted
          ? `not allowed: ${missing.join(", ")}`
          : "no assignment of the identity applies at this scope";
      return finding("access", "FAIL", id, `the workload's token is not granted ${r.role} at ${short(r.scope)}`, {
        expected: `${r.role} at ${r.scope}`,
        actual,
        fix: assign,
      });
    }
    const what = [...(r.roleDataActions ?? []).map((d) => `data ${d}`), ...(r.roleActions ?? [])];
    const waited = r.waitedMs ? ` (after waiting ${Math.round(r.waitedMs / 1000)} s for the assignment to propagate)` : "";
    return finding(
      "access",
      "PASS",
      "role-ok",
      `${r.role} works at ${short(r.scope)}: allows ${what.slice(0, 4).join(", ")}${what.length > 4 ? `, … (${what.length} in all)` : ""}${waited}`,
    );
  });
}
