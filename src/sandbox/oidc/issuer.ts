// The cluster's service-account token issuer: one RSA signing key per sandbox DIR (made once,
// kept 0600, so tokens minted before a restart still verify), and tokens with the claims the real
// kube-apiserver puts in bound/projected service-account tokens.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT, exportJWK } from "jose";
import type { ClusterIssuer } from "../types.js";
import type { World } from "../world.js";

/** What kube-apiserver uses as `iss` when no --service-account-issuer is configured for the cluster. */
export const DEFAULT_CLUSTER_ISSUER = "https://kubernetes.default.svc.cluster.local";

interface KeyFile { kid: string; privatePem: string }

/** kube-apiserver's key ID: base64url of the SHA-256 of the public key's DER (SubjectPublicKeyInfo). */
function kubeKeyId(pub: KeyObject): string {
  return createHash("sha256").update(pub.export({ type: "spki", format: "der" })).digest("base64url");
}

function loadOrCreateKey(dir: string): { kid: string; privateKey: KeyObject; publicKey: KeyObject } {
  const file = join(dir, "cluster-sa-signing-key.json");
  let k: KeyFile | undefined;
  if (existsSync(file)) {
    try { k = JSON.parse(readFileSync(file, "utf8")) as KeyFile; } catch { k = undefined; }
  }
  if (!k?.privatePem) {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    k = { kid: kubeKeyId(createPublicKey(privateKey)), privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(k), { mode: 0o600 });
    renameSync(tmp, file);
  }
  const privateKey = createPrivateKey(k.privatePem);
  return { kid: k.kid, privateKey, publicKey: createPublicKey(privateKey) };
}

/** The issuer URL the cluster publishes once its OIDC issuer is on (verbatim, trailing slash and all). */
export function publishedIssuer(world: World): string | undefined {
  const p = world.cluster().body?.properties?.oidcIssuerProfile;
  return p?.enabled === true && typeof p.issuerURL === "string" && p.issuerURL ? p.issuerURL : undefined;
}

export async function createClusterIssuer(dir: string, world: World): Promise<ClusterIssuer> {
  const key = loadOrCreateKey(dir);
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
      return new SignJWT({ "kubernetes.io": k8s, jti: randomUUID() })
        .setProtectedHeader({ alg: "RS256", kid: key.kid })
        .setIssuer(currentIssuer())
        .setSubject(`system:serviceaccount:${p.namespace}:${p.serviceAccount}`)
        // kube-apiserver always emits aud as an array, even with one audience.
        .setAudience([...p.audiences])
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + p.expirationSeconds)
        .sign(key.privateKey);
    },
  };
}
