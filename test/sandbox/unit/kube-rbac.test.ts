// The sandbox's kube-apiserver authorization: request attributes as RequestInfoFactory reads them,
// RBAC rule matching, RoleBindings confined to their namespace, and the Forbidden message format.
import { describe, expect, it } from "vitest";
import { authorize, forbidden, requestAttributes, ruleAllows, SYSTEM_MASTERS } from "../../../sandbox/kube/rbac/authorizer.js";
import type { World } from "../../../sandbox/core/world.js";

const q = (s = "") => new URLSearchParams(s);
const world = {
  state: { kube: { users: { dev: { name: "dev", tokenSha256: "", createdAt: 0, bindings: [{ namespace: "app", clusterRole: "edit" }] } } } },
} as unknown as World;
const dev = { name: "dev", groups: ["system:authenticated"] };
const can = (method: string, path: string, query = "") => authorize(world, dev, requestAttributes(method, path, q(query))).allowed;

describe("request attributes", () => {
  it("read verb, group, resource, subresource, namespace and name from method and path", () => {
    expect(requestAttributes("GET", "/api/v1/namespaces/app/pods", q())).toMatchObject({
      verb: "list",
      resourceRequest: true,
      apiGroup: "",
      resource: "pods",
      namespace: "app",
      name: "",
    });
    expect(requestAttributes("GET", "/api/v1/namespaces/app/pods", q("watch=true"))).toMatchObject({ verb: "watch" });
    expect(requestAttributes("DELETE", "/apis/apps/v1/namespaces/app/deployments", q())).toMatchObject({
      verb: "deletecollection",
      apiGroup: "apps",
      resource: "deployments",
    });
    expect(requestAttributes("PATCH", "/apis/apps/v1/namespaces/app/deployments/web/scale", q())).toMatchObject({
      verb: "patch",
      resource: "deployments",
      name: "web",
      subresource: "scale",
    });
    expect(requestAttributes("POST", "/api/v1/namespaces", q())).toMatchObject({ verb: "create", resource: "namespaces", namespace: "" });
    // a namespace is in itself; its status and finalize stay on it
    expect(requestAttributes("GET", "/api/v1/namespaces/app", q())).toMatchObject({ verb: "get", resource: "namespaces", name: "app", namespace: "app" });
    expect(requestAttributes("PUT", "/api/v1/namespaces/app/finalize", q())).toMatchObject({
      verb: "update",
      resource: "namespaces",
      name: "app",
      subresource: "finalize",
    });
    expect(requestAttributes("GET", "/api/v1/namespaces/app/pods/p/exec", q(), true)).toMatchObject({ verb: "create", resource: "pods", subresource: "exec" });
    expect(requestAttributes("GET", "/apis/apps/v1", q())).toMatchObject({ resourceRequest: false, verb: "get", path: "/apis/apps/v1" });
    expect(requestAttributes("GET", "/version", q())).toMatchObject({ resourceRequest: false });
  });
});

describe("RBAC", () => {
  it("matches wildcards, subresources and resource names as rbac.RuleAllows does", () => {
    const a = requestAttributes("GET", "/api/v1/namespaces/app/pods/p/log", q());
    expect(ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods"] }, a)).toBe(false);
    expect(ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods/log"] }, a)).toBe(true);
    expect(ruleAllows({ verbs: ["*"], apiGroups: ["*"], resources: ["*/log"] }, a)).toBe(true);
    expect(ruleAllows({ verbs: ["get"], apiGroups: [""], resources: ["pods/log"], resourceNames: ["q"] }, a)).toBe(false);
    expect(ruleAllows({ verbs: ["get"], nonResourceURLs: ["/apis/*"] }, requestAttributes("GET", "/apis/apps/v1", q()))).toBe(true);
  });

  it("a RoleBinding grants its ClusterRole in its own namespace only; discovery and self-reviews for everyone; masters everything", () => {
    expect(can("POST", "/api/v1/namespaces/app/serviceaccounts")).toBe(true);
    expect(can("PATCH", "/api/v1/namespaces/app/serviceaccounts/sa")).toBe(true);
    expect(can("POST", "/api/v1/namespaces/other/serviceaccounts")).toBe(false);
    expect(can("GET", "/api/v1/namespaces/app")).toBe(true);
    expect(can("DELETE", "/api/v1/namespaces/app")).toBe(false);
    expect(can("POST", "/api/v1/namespaces")).toBe(false);
    expect(can("GET", "/api/v1/pods")).toBe(false);
    expect(can("POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/app/rolebindings")).toBe(false); // that is admin's
    expect(can("GET", "/api")).toBe(true);
    expect(can("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")).toBe(true);
    expect(authorize(world, { name: "someone", groups: [SYSTEM_MASTERS] }, requestAttributes("DELETE", "/api/v1/namespaces/kube-system", q())).allowed).toBe(
      true,
    );
    expect(authorize(world, { name: "stranger", groups: ["system:authenticated"] }, requestAttributes("GET", "/api/v1/namespaces/app/pods", q())).allowed).toBe(
      false,
    );
  });

  it("words a denial as kube-apiserver: resource qualified by group, the name when the URL has one", () => {
    const f = (method: string, path: string) => forbidden(dev, requestAttributes(method, path, q())).body;
    expect(f("POST", "/api/v1/namespaces")).toEqual({
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      code: 403,
      reason: "Forbidden",
      message: 'namespaces is forbidden: User "dev" cannot create resource "namespaces" in API group "" at the cluster scope',
      details: { kind: "namespaces" },
    });
    expect(f("GET", "/apis/apps/v1/namespaces/x/deployments/web")).toMatchObject({
      message: 'deployments.apps "web" is forbidden: User "dev" cannot get resource "deployments" in API group "apps" in the namespace "x"',
      details: { name: "web", group: "apps", kind: "deployments" },
    });
    expect(f("GET", "/logs")).toMatchObject({ message: 'forbidden: User "dev" cannot get path "/logs"' });
  });
});
