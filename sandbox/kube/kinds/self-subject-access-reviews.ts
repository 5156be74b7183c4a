// SelfSubjectAccessReviews (`kubectl auth can-i`): never stored, created only, and answered
// truthfully for the caller by the same authorizer every request passes (rbac/authorizer.ts).
// An empty namespace means all namespaces, which a namespace's RoleBinding does not cover.
import { decodeBody } from "../body.js";
import { authorize, type Attributes } from "../rbac/authorizer.js";
import { badRequest, methodNotAllowed, ok } from "../status.js";
import type { KindHooks } from "./index.js";

interface Spec {
  resourceAttributes?: { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string };
  nonResourceAttributes?: { path?: string; verb?: string };
}

function attributesOf(spec: Spec): Attributes | string {
  const r = spec.resourceAttributes,
    n = spec.nonResourceAttributes;
  if (r && n) return 'spec.resourceAttributes: Invalid value: "": cannot be specified in combination with nonResourceAttributes';
  if (n)
    return {
      verb: n.verb ?? "",
      resourceRequest: false,
      path: n.path ?? "",
      apiGroup: "",
      apiVersion: "",
      resource: "",
      subresource: "",
      namespace: "",
      name: "",
    };
  if (!r) return "spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified";
  return {
    verb: r.verb ?? "",
    resourceRequest: true,
    path: "",
    apiGroup: r.group ?? "",
    apiVersion: r.version ?? "",
    resource: r.resource ?? "",
    subresource: r.subresource ?? "",
    namespace: r.namespace ?? "",
    name: r.name ?? "",
  };
}

export const selfSubjectAccessReviews: KindHooks = {
  serve({ ctx, user }, req, name) {
    if (req.method !== "POST" || name) return methodNotAllowed();
    // kubectl sends the review as protobuf (protobuf.ts decodes it), client libraries as JSON
    const d = decodeBody(req);
    if (!d.ok) return d.res;
    const spec: Spec = (d.value as { spec?: Spec } | null)?.spec ?? {};
    const attributes = attributesOf(spec);
    if (typeof attributes === "string") return badRequest(attributes);
    const decision = user ? authorize(ctx.world, user, attributes, ctx.now()) : { allowed: false as const };
    return ok(
      {
        kind: "SelfSubjectAccessReview",
        apiVersion: "authorization.k8s.io/v1",
        metadata: { creationTimestamp: null },
        spec,
        status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
      },
      201,
    );
  },
};
