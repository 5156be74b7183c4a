// The kubeconfig ARM's listClusterUserCredential / listClusterAdminCredential return, and the
// static bearer tokens behind it (made once per sandbox DIR, kept 0600 next to the CA).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { ServiceContext } from "../core/types.js";

export type CredentialKind = "user" | "admin";
type Tokens = Record<CredentialKind, string>;

const cache = new Map<string, Tokens>();

function credentialsFile(ctx: ServiceContext): string {
  return join(dirname(ctx.info.caFile), "kube-credentials.json");
}

/** The static tokens of this sandbox, generated on first use and persisted. */
export function staticTokens(ctx: ServiceContext): Tokens {
  const file = credentialsFile(ctx);
  const hit = cache.get(file);
  if (hit) return hit;
  let tokens: Tokens | undefined;
  try {
    if (existsSync(file)) {
      const t = JSON.parse(readFileSync(file, "utf8"));
      if (typeof t.user === "string" && typeof t.admin === "string") tokens = { user: t.user, admin: t.admin };
    }
  } catch {
    /* unreadable: make new ones */
  }
  if (!tokens) {
    tokens = { user: randomBytes(32).toString("hex"), admin: randomBytes(32).toString("hex") };
    writeFileSync(file, JSON.stringify(tokens), { mode: 0o600 });
  }
  cache.set(file, tokens);
  return tokens;
}

/** Which static credential a presented bearer token is, if any (constant-time compare). */
export function matchStaticToken(ctx: ServiceContext, token: string): CredentialKind | undefined {
  const t = staticTokens(ctx);
  for (const kind of ["user", "admin"] as const) {
    const a = Buffer.from(t[kind]),
      b = Buffer.from(token);
    if (a.length === b.length && timingSafeEqual(a, b)) return kind;
  }
  return undefined;
}

/** The user a local-account credential authenticates as: the name its kubeconfig gives it (AKS's
 *  local accounts are members of system:masters, whichever of the two). */
export function staticUserName(ctx: ServiceContext, kind: CredentialKind): string {
  const { clusterName, resourceGroup } = ctx.info;
  return `${kind === "admin" ? "clusterAdmin" : "clusterUser"}_${resourceGroup}_${clusterName}`;
}

export function buildKubeconfig(ctx: ServiceContext, kind: CredentialKind): string {
  const { clusterName } = ctx.info;
  const user = staticUserName(ctx, kind);
  // Both credentials name their context after the cluster, as AKS returns them. The "-admin"
  // suffix users know is the Azure CLI's, added when it merges an admin kubeconfig into
  // ~/.kube/config ("rename the admin context so it doesn't overwrite the user context":
  // merge_kubernetes_configurations in Azure/azure-cli acs/custom.py).
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { "certificate-authority-data": Buffer.from(ctx.caPem).toString("base64"), server: ctx.info.kubeServer } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user } }],
    "current-context": clusterName,
    preferences: {},
    users: [{ name: user, user: { token: staticTokens(ctx)[kind] } }],
  };
  return stringify(config);
}

/** A kubeconfig for a sandbox user (kube/rbac): its own bearer token, its namespace the context's
 *  default, so kubectl acts there unless told otherwise. */
export function buildUserKubeconfig(ctx: ServiceContext, user: string, token: string, namespace: string): string {
  const { clusterName } = ctx.info;
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { "certificate-authority-data": Buffer.from(ctx.caPem).toString("base64"), server: ctx.info.kubeServer } }],
    contexts: [{ name: `${user}@${clusterName}`, context: { cluster: clusterName, user, namespace } }],
    "current-context": `${user}@${clusterName}`,
    preferences: {},
    users: [{ name: user, user: { token } }],
  };
  return stringify(config);
}
