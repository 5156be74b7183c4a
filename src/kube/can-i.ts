// `kubectl auth can-i` for the plan's permission preflight: a SelfSubjectAccessReview asks the
// API server's own authorizers (RBAC, and Azure RBAC on AKS clusters that use it) whether the
// current credential may make a request, without making it.
import { AuthorizationV1Api } from "@kubernetes/client-node";
import type { KubeConnection } from "./connect.js";
import type { AccessQuestion } from "../core/ports.js";

export async function canI(conn: KubeConnection, q: AccessQuestion): Promise<boolean> {
  const api = conn.kc.makeApiClient(AuthorizationV1Api);
  const [resource, ...group] = q.resource.split(".");
  const review = await api.createSelfSubjectAccessReview(
    {
      body: {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectAccessReview",
        spec: { resourceAttributes: { verb: q.verb, resource, group: group.join("."), namespace: q.namespace } },
      },
    },
    await conn.requestOptions(),
  );
  return review.status?.allowed === true;
}
