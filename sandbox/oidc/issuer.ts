// The cluster's service-account token issuer: one RSA signing key per sandbox DIR (made once,
// kept 0600, so tokens minted before a restart still verify), and tokens with the claims the real
// kube-apiserver puts in bound/projected service-account tokens.
import { createHash, randomUUID, type KeyObject } from "node:crypto";
import { join } from "node:path";
import { SignJWT, exportJWK } from "jose";
import type { ClusterIssuer } from "../core/types.js";
import type { World } from "../core/world.js";
import { loadOrCreateSigningKey } from "../core/signing-key.js";

/** What kube-apiserver uses as `iss` when no --service-account-issuer is configured for the cluster. */
export const DEFAULT_CLUSTER_ISSUER = "https://kubernetes.default.svc.cluster.local";

/** kube-apiserver's key ID: base64url of the SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
function kubeKeyId(pub: KeyObject): string {
  return createHash("sha256")
    .update(pub.export({ type: "spki", format: "der" }))
    .digest("base64url");
}

/** The issuer URL the cluster publishes once its OIDC issuer is on (verbatim, trailing slash and all). */
export function publishedIssuer(world: World): string | undefined {
  const p = world.cluster().body?.properties?.oidcIssuerProfile;
  return p?.enabled === true && typeof p.issuerURL === "string" && p.issuerURL ? p.issuerURL : undefined;
}

/** `world`: the cluster's view (its `cluster()` is the one whose issuer this is); `keyFile`: the
 *  key's file in DIR, one per cluster with an API of its own (kube/cluster-apis.ts). */
export async function createClusterIssuer(dir: string, world: World, keyFile = "cluster-sa-signing-key.json"): Promise<ClusterIssuer> {
  const key = await loadOrCreateSigningKey(join(dir, keyFile), (_pem, pub) => kubeKeyId(pub));
  const jwk = await exportJWK(key.publicKey);
  const currentIssuer = () => publishedIssuer(world) ?? DEFAULT_CLUSTER_ISSUER;
  return {
    currentIssuer,
    async jwks() {
      // Same members and order as kube-apiserver's /openid/v1/jwks.
      return { keys: [{ use: "sig", kty: "RSA", kid: key.kid, alg: "RS256", n: jwk.n, e: jwk.e }] };
    },
    async mintServiceAccountToken(p) {
      const now = Math.floor(Date.now() / 1000);
      const k8s: Record<string, unknown> = {
        namespace: p.namespace,
        serviceaccount: { name: p.serviceAccount, uid: p.serviceAccountUid },
      };
      if (p.pod) k8s.pod = { name: p.pod.name, uid: p.pod.uid };
      return (
        new SignJWT({ "kubernetes.io": k8s, jti: randomUUID() })
          .setProtectedHeader({ alg: "RS256", kid: key.kid })
          .setIssuer(currentIssuer())
          .setSubject(`system:serviceaccount:${p.namespace}:${p.serviceAccount}`)
          // kube-apiserver always emits aud as an array, even with one audience.
          .setAudience([...p.audiences])
          .setIssuedAt(now)
          .setNotBefore(now)
          .setExpirationTime(now + p.expirationSeconds)
          .sign(key.privateKey)
      );
    },
  };
}
