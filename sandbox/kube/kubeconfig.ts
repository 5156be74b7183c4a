// The kubeconfig ARM's listClusterUserCredential / listClusterAdminCredential return, and the
// static bearer tokens behind it (made once per sandbox DIR, kept 0600 next to the CA).
import { randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import type { ServiceContext } from "../core/types.js";
import { AKS_SERVER_APP_ID_RESOURCE } from "../login/resources.js";

export type CredentialKind = "user" | "admin";
type Tokens = Record<CredentialKind, string>;

const cache = new Map<string, Tokens>();

/** One file per API: a cluster with an API of its own (kube/cluster-apis.ts) has its own tokens. */
function credentialsFile(ctx: ServiceContext): string {
  const own = ctx.world.cluster().kube ? `-${ctx.info.clusterName}` : "";
  return join(dirname(ctx.info.caFile), `kube-credentials${own}.json`);
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

/** The Azure CLI's public client app, which kubelogin signs in as for AKS (its --client-id). */
const AZURE_CLI_CLIENT_APP = "80faf920-1908-4b52-b5ef-a8e7bedfc67a";

/** The user credential AKS hands out for an Entra-integrated cluster: no secret, an exec plugin
 *  (kubelogin) that gets an Entra token for the AKS server app — kubelogin's documented
 *  `get-token --environment AzurePublicCloud --server-id 6dae… --client-id 80faf920… --tenant-id T
 *  --login devicecode` (Azure/kubelogin README, "convert-kubeconfig"; what AKS returns before
 *  `kubelogin convert-kubeconfig -l azurecli` rewrites the login mode). */
function kubeloginUser(tenantId: string): Record<string, unknown> {
  return {
    exec: {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "kubelogin",
      args: [
        "get-token",
        "--environment",
        "AzurePublicCloud",
        "--server-id",
        AKS_SERVER_APP_ID_RESOURCE,
        "--client-id",
        AZURE_CLI_CLIENT_APP,
        "--tenant-id",
        tenantId,
        "--login",
        "devicecode",
      ],
      env: null,
      installHint: "kubelogin signs in to this Entra ID cluster; install it: https://aka.ms/aks/kubelogin",
      provideClusterInfo: false,
    },
  };
}

/** Where a kubeconfig of ARM's sends kubectl: a private cluster's private FQDN (which resolves only
 *  inside its network; see seed.ts), else the API server's own address. */
function advertisedServer(ctx: ServiceContext): string {
  const privateFqdn = ctx.world.cluster().body?.properties?.privateFQDN;
  return typeof privateFqdn === "string" && privateFqdn ? `https://${privateFqdn}:443` : ctx.info.kubeServer;
}

/** `inside`: the API server's real address, as a machine inside the cluster's network reaches it
 *  (the sandbox's kubeconfig "from inside the network", and what run-command's kubectl uses);
 *  `token`: that bearer token instead of the credential's own (run-command's clusterToken). */
export function buildKubeconfig(ctx: ServiceContext, kind: CredentialKind, opts: { inside?: boolean; token?: string } = {}): string {
  const { clusterName } = ctx.info;
  const user = staticUserName(ctx, kind);
  const aad = ctx.world.cluster().body?.properties?.aadProfile;
  const server = opts.inside ? ctx.info.kubeServer : advertisedServer(ctx);
  const credential = opts.token
    ? { token: opts.token }
    : aad && kind === "user"
      ? kubeloginUser(aad.tenantID ?? ctx.info.tenantId)
      : { token: staticTokens(ctx)[kind] };
  // Both credentials name their context after the cluster, as AKS returns them. The "-admin"
  // suffix users know is the Azure CLI's, added when it merges an admin kubeconfig into
  // ~/.kube/config ("rename the admin context so it doesn't overwrite the user context":
  // merge_kubernetes_configurations in Azure/azure-cli acs/custom.py).
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: clusterName, cluster: { "certificate-authority-data": Buffer.from(ctx.caPem).toString("base64"), server } }],
    contexts: [{ name: clusterName, context: { cluster: clusterName, user } }],
    "current-context": clusterName,
    preferences: {},
    users: [{ name: user, user: credential }],
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
