// SelfSubjectAccessReviews (`kubectl auth can-i`): never stored, created only, and always
// allowed, since every authenticated caller is cluster-admin in the sandbox (as AKS local
// accounts are).
import { PROTOBUF, decodeBody, mediaType } from "../body.js";
import { methodNotAllowed, ok } from "../status.js";
import type { KindHooks } from "./index.js";

export const selfSubjectAccessReviews: KindHooks = {
  serve(_env, req, name) {
    if (req.method !== "POST" || name) return methodNotAllowed();
    let spec: unknown = {};
    // kubectl sends the review as protobuf; the answer does not depend on what it asks
    if (mediaType(req) !== PROTOBUF) {
      const d = decodeBody(req);
      if (!d.ok) return d.res;
      spec = (d.value as { spec?: unknown } | null)?.spec ?? {};
    }
    return ok({
      kind: "SelfSubjectAccessReview", apiVersion: "authorization.k8s.io/v1", metadata: { creationTimestamp: null }, spec,
      status: { allowed: true, reason: "sandbox: authenticated callers are cluster administrators" },
    }, 201);
  },
};
