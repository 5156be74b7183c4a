// Service accounts' token subresource (TokenRequest, what `kubectl create token` and projected
// volumes use): the cluster issuer mints a bound token with kube-apiserver's limits and claims.
import type { SandboxRequest, SandboxResponse } from "../../core/types.js";
import { decodeBody } from "../body.js";
import { conflict, failure, invalid, notFound, ok } from "../status.js";
import type { StoredObject } from "../store.js";
import type { KubeEnv } from "./index.js";

interface TokenRequestSpec {
  audiences?: unknown;
  expirationSeconds?: unknown;
  boundObjectRef?: { kind?: string; name?: string; uid?: string } | null;
}

/** serviceaccounts/token. */
export async function tokenRequest({ ctx, store }: KubeEnv, req: SandboxRequest, sa: StoredObject): Promise<SandboxResponse> {
  const d = decodeBody(req);
  if (!d.ok) return d.res;
  const spec: TokenRequestSpec = (d.value as { spec?: TokenRequestSpec } | null)?.spec ?? {};
  const exp = spec.expirationSeconds ?? 3600;
  if (typeof exp !== "number" || exp < 600)
    return invalid("TokenRequest", sa.metadata.name, [
      { reason: "FieldValueInvalid", field: "spec.expirationSeconds", message: `Invalid value: ${exp}: may not specify a duration less than 10 minutes` },
    ]);
  if (exp > 2 ** 32)
    return invalid("TokenRequest", sa.metadata.name, [
      { reason: "FieldValueTooLong", field: "spec.expirationSeconds", message: `Invalid value: ${exp}: may not specify a duration larger than 2^32 seconds` },
    ]);
  const audiences: string[] = Array.isArray(spec.audiences) && spec.audiences.length ? spec.audiences : [ctx.info.kubeServer];
  let pod: { name: string; uid: string } | undefined;
  const ref = spec.boundObjectRef;
  if (ref?.kind === "Pod") {
    const p = store.get("pods", sa.metadata.namespace, ref.name ?? "");
    if (!p) return notFound("pods", ref.name ?? "");
    if (ref.uid && ref.uid !== p.metadata.uid) return conflict("pods", ref.name ?? "");
    pod = { name: p.metadata.name, uid: p.metadata.uid };
  }
  let token: string;
  try {
    token = await ctx.clusterIssuer.mintServiceAccountToken({
      namespace: sa.metadata.namespace!,
      serviceAccount: sa.metadata.name,
      serviceAccountUid: sa.metadata.uid,
      audiences,
      expirationSeconds: exp,
      pod,
    });
  } catch {
    return failure(500, "Internal error occurred: failed to sign service account token", "InternalError");
  }
  const expTs = new Date(ctx.now() + exp * 1000).toISOString().replace(/\.\d+Z$/, "Z");
  return ok(
    {
      kind: "TokenRequest",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { name: sa.metadata.name, namespace: sa.metadata.namespace, creationTimestamp: null },
      spec: { audiences, expirationSeconds: exp, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: expTs },
    },
    201,
  );
}
