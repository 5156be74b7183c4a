// Azure's and Kubernetes' own naming rules, checked before anything is sent, so a bad name is a
// one-line usage error instead of a half-made setup. Each validator returns the reason a value is
// rejected, or undefined when it is fine (the shape @inquirer's `validate` wants, once mapped).

export type Validator = (value: string) => string | undefined;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function lengthReason(what: string, v: string, min: number, max: number): string | undefined {
  if (v.length < min || v.length > max) return `${what} must be ${min === max ? min : `${min}-${max}`} characters long (got ${v.length})`;
  return undefined;
}

export const isGuid = (v: string): boolean => GUID.test(v);

/** Subscription: its GUID (names are ambiguous, so the wizard resolves them to IDs first). */
export const validateSubscription: Validator = (v) =>
  isGuid(v) ? undefined : "subscription must be a subscription ID (a GUID such as 00000000-0000-0000-0000-000000000000)";

/** Resource group: 1-90 of letters, digits, underscore, hyphen, period, parentheses; not ending in a period. */
export const validateResourceGroup: Validator = (v) =>
  lengthReason("resource group name", v, 1, 90) ??
  (/^[\p{L}\p{N}_\-.()]+$/u.test(v) ? undefined : "resource group name may hold only letters, digits, '_', '-', '.', '(' and ')'") ??
  (v.endsWith(".") ? "resource group name cannot end with '.'" : undefined);

/** AKS cluster: 1-63 of alphanumerics, underscore, hyphen; starts and ends alphanumeric. */
export const validateClusterName: Validator = (v) =>
  lengthReason("cluster name", v, 1, 63) ??
  (/^[A-Za-z0-9_-]+$/.test(v) ? undefined : "cluster name may hold only letters, digits, '_' and '-'") ??
  (/^[A-Za-z0-9](.*[A-Za-z0-9])?$/.test(v) ? undefined : "cluster name must start and end with a letter or digit");

/** User-assigned identity: 3-128 of alphanumerics, hyphen, underscore; starts with a letter or digit. */
export const validateIdentityName: Validator = (v) =>
  lengthReason("identity name", v, 3, 128) ??
  (/^[A-Za-z0-9_-]+$/.test(v) ? undefined : "identity name may hold only letters, digits, '-' and '_'") ??
  (/^[A-Za-z0-9]/.test(v) ? undefined : "identity name must start with a letter or digit");

/** Federated identity credential: 3-120 of alphanumerics, hyphen, underscore; starts with a letter or digit. */
export const validateFederatedCredentialName: Validator = (v) =>
  lengthReason("federated credential name", v, 3, 120) ??
  (/^[A-Za-z0-9_-]+$/.test(v) ? undefined : "federated credential name may hold only letters, digits, '-' and '_'") ??
  (/^[A-Za-z0-9]/.test(v) ? undefined : "federated credential name must start with a letter or digit");

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Namespace: a DNS-1123 label (what the API server enforces for namespaces). */
export const validateNamespace: Validator = (v) =>
  lengthReason("namespace", v, 1, 63) ??
  (DNS1123_LABEL.test(v) ? undefined : "namespace must be lower-case letters, digits and '-', starting and ending with a letter or digit (DNS-1123 label)");

/** Names of service accounts and pods: DNS-1123 subdomains. */
function dnsSubdomain(what: string): Validator {
  return (v) =>
    lengthReason(what, v, 1, 253) ??
    (v.split(".").every((part) => DNS1123_LABEL.test(part))
      ? undefined
      : `${what} must be lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (DNS-1123 subdomain)`);
}

export const validateServiceAccount: Validator = dnsSubdomain("service account name");
export const validatePodName: Validator = dnsSubdomain("pod name");
export const validateDeploymentName: Validator = dnsSubdomain("deployment name");

/** A role: its definition GUID, or a display name such as "Key Vault Secrets User". */
export const validateRole: Validator = (v) => {
  if (v.trim() !== v || v.length === 0) return "role must be a role name or role definition GUID without surrounding spaces";
  if (v.length > 512) return "role name is too long";
  if (v.includes("/") && !/^\/(subscriptions\/[^/]+\/)?providers\/Microsoft\.Authorization\/roleDefinitions\/[0-9a-f-]{36}$/i.test(v)) {
    return "role must be a role name, a role definition GUID or a role definition ID";
  }
  return undefined;
};

/**
 * A scope: a full ARM ID under a subscription (/subscriptions/GUID[/resourceGroups/RG[/providers/NS/TYPE/NAME…]])
 * or a management group (/providers/Microsoft.Management/managementGroups/NAME).
 */
export const validateScope: Validator = (v) => {
  // ARM answers a request line this long with a dropped connection, after seconds.
  if (v.length > 2048) return `scope must be at most 2048 characters long (got ${v.length})`;
  if (/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(v)) return undefined;
  const m = /^\/subscriptions\/([^/]+)(\/.*)?$/i.exec(v);
  if (!m) return "scope must be a full resource ID starting with /subscriptions/<id> (e.g. the vault's ID from `az keyvault show --query id`)";
  if (!isGuid(m[1]!)) return `scope's subscription "${m[1]}" is not a subscription ID (GUID)`;
  const rest = m[2] ?? "";
  if (rest === "") return undefined;
  if (v.endsWith("/")) return "scope must not end with '/'";
  const rg = /^\/resourceGroups\/([^/]+)(\/.*)?$/i.exec(rest);
  if (!rg) return "scope must continue with /resourceGroups/<name> after the subscription";
  const rgReason = validateResourceGroup(rg[1]!);
  if (rgReason) return `scope: ${rgReason}`;
  const tail = rg[2] ?? "";
  if (tail === "") return undefined;
  // providers/NAMESPACE/TYPE/NAME, optionally followed by nested TYPE/NAME pairs.
  const parts = tail.split("/").slice(1);
  if (parts[0]?.toLowerCase() !== "providers" || parts.length < 4 || (parts.length - 2) % 2 !== 0 || parts.some((p) => p === "")) {
    return "scope must name a resource as .../resourceGroups/<rg>/providers/<namespace>/<type>/<name>";
  }
  return undefined;
};

/** The kinds `--workload KIND/NAME` names: the ones with a pod template aks-wi can wire, and Job,
 *  accepted here so the plan can say why it cannot be wired (its pod template is immutable). */
export const WORKLOAD_KINDS = ["deployment", "statefulset", "daemonset", "cronjob", "job"] as const;

/** A workload as `kubectl rollout restart` names it: KIND/NAME, e.g. deployment/web. */
export const validateWorkload: Validator = (v) => {
  const i = v.indexOf("/");
  if (i < 0) return `workload must be KIND/NAME with KIND one of ${WORKLOAD_KINDS.join(", ")} (e.g. deployment/web)`;
  const kind = v.slice(0, i);
  if (!(WORKLOAD_KINDS as readonly string[]).includes(kind))
    return `workload kind "${kind}" must be one of ${WORKLOAD_KINDS.join(", ")} (lower-case, singular)`;
  return dnsSubdomain(`${kind} name`)(v.slice(i + 1));
};
