// The OData $filter clauses the sandbox's Graph runs on servicePrincipals, the ones clients send
// to find a principal: `servicePrincipalNames/any(c:c eq 'X')` (the Azure CLI's
// _resolve_service_principal and _resolve_object_id, Azure/azure-cli role/custom.py), `appId eq
// 'X'` and `displayName eq 'X'`; anything else is Graph's Request_UnsupportedQuery. Values are
// OData string literals: single-quoted, a quote doubled inside.
import type { ServicePrincipal } from "./directory.js";

export type Predicate = (sp: ServicePrincipal) => boolean;

const LITERAL = "'((?:[^']|'')*)'";
const unquote = (s: string) => s.replace(/''/g, "'");
// Graph compares these string properties without case
const same = (a: unknown, b: string) => typeof a === "string" && a.toLowerCase() === b.toLowerCase();

/** The predicate of a $filter, or the reason Graph refuses it. */
export function parseFilter(filter: string): Predicate | { unsupported: string } {
  const text = filter.trim();
  const any = new RegExp(`^servicePrincipalNames/any\\(\\s*(\\w+)\\s*:\\s*(\\w+)\\s+eq\\s+${LITERAL}\\s*\\)$`, "i").exec(text);
  if (any && any[1] === any[2]) {
    const value = unquote(any[3]);
    return (sp) => sp.servicePrincipalNames.some((n) => same(n, value));
  }
  const eq = new RegExp(`^(appId|displayName|id)\\s+eq\\s+${LITERAL}$`, "i").exec(text);
  if (eq) {
    const prop = eq[1].toLowerCase() === "appid" ? "appId" : eq[1].toLowerCase() === "id" ? "id" : "displayName";
    const value = unquote(eq[2]);
    return (sp) => same(sp[prop], value);
  }
  const property = /^([A-Za-z]+)/.exec(text)?.[1] ?? text;
  return { unsupported: `Unsupported or invalid query filter clause specified for property '${property}' of resource 'ServicePrincipal'.` };
}
