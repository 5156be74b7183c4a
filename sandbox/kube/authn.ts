// Who a request to the Kubernetes API is: the local accounts' static tokens (members of
// system:masters, as AKS's local accounts are; none on a cluster with disableLocalAccounts), the
// sandbox users' own tokens (bound by namespace, see rbac/), or an Entra access token for the AKS
// AAD server app (named by its object ID; an administrator unless the cluster has Azure RBAC,
// where its role assignments decide, rbac/azure-rbac.ts).
import { createHash, timingSafeEqual } from "node:crypto";
import type { ServiceContext } from "../core/types.js";
import { matchStaticToken, staticUserName } from "./kubeconfig.js";
import { SYSTEM_MASTERS, type KubeUser } from "./rbac/authorizer.js";
import { hasAzureRbac } from "./rbac/azure-rbac.js";

/** The AKS AAD server application: the audience of Entra tokens for Entra-integrated clusters. */
export const AKS_AAD_SERVER_APP = "6dae42f8-4368-4678-94ff-3960e28e3630";

const AUTHENTICATED = "system:authenticated";

const sha256 = (s: string) => createHash("sha256").update(s).digest();

/** The sandbox user whose token this is, if any (constant-time compare of the hashes). */
function sandboxUser(ctx: ServiceContext, token: string): string | undefined {
  const got = sha256(token);
  for (const u of Object.values(ctx.world.state.kube.users ?? {})) {
    const want = Buffer.from(u.tokenSha256, "hex");
    if (want.length === got.length && timingSafeEqual(want, got)) return u.name;
  }
  return undefined;
}

/** The user a bearer token authenticates as, "anonymous" without one, "invalid" otherwise. */
export async function authenticate(ctx: ServiceContext, authorization: string | undefined): Promise<KubeUser | "anonymous" | "invalid"> {
  if (!authorization) return "anonymous";
  const m = /^Bearer\s+(.+)$/i.exec(authorization.trim());
  if (!m) return "invalid";
  const cluster = ctx.world.cluster();
  const local = cluster.body?.properties?.disableLocalAccounts === true ? undefined : matchStaticToken(ctx, m[1]);
  if (local) return { name: staticUserName(ctx, local), groups: [SYSTEM_MASTERS, AUTHENTICATED] };
  const user = sandboxUser(ctx, m[1]);
  if (user) return { name: user, groups: [AUTHENTICATED] };
  if (m[1].split(".").length === 3) {
    const check = await ctx.tokens.verifyBearer(authorization, [AKS_AAD_SERVER_APP, `spn:${AKS_AAD_SERVER_APP}`], ctx.info.tenantId);
    // without Azure RBAC an Entra caller is an administrator, as the operator always was
    if (check.ok)
      return hasAzureRbac(cluster)
        ? { name: check.claims.oid, groups: [AUTHENTICATED], azureRbac: true }
        : { name: check.claims.oid, groups: [SYSTEM_MASTERS, AUTHENTICATED] };
  }
  return "invalid";
}
