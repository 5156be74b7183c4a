// Kubernetes' default ClusterRoles that the sandbox binds users to, with the rules kube-apiserver's
// bootstrap policy gives them (kubernetes/kubernetes
// plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-roles.yaml): `view` is
// system:aggregate-to-view; `edit` aggregates system:aggregate-to-edit and `view` (view carries
// the aggregate-to-edit label). Rules on kinds the sandbox does not serve are kept, so a review of
// them answers as a real cluster would. And the two every authenticated user has:
// system:discovery and system:basic-user.

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

const READ = ["get", "list", "watch"];
const WRITE = ["create", "delete", "deletecollection", "patch", "update"];

const AGGREGATE_TO_VIEW: PolicyRule[] = [
  {
    apiGroups: [""],
    verbs: READ,
    resources: [
      "configmaps",
      "endpoints",
      "persistentvolumeclaims",
      "persistentvolumeclaims/status",
      "pods",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "serviceaccounts",
      "services",
      "services/status",
    ],
  },
  {
    apiGroups: [""],
    verbs: READ,
    resources: [
      "bindings",
      "events",
      "limitranges",
      "namespaces/status",
      "pods/log",
      "pods/status",
      "replicationcontrollers/status",
      "resourcequotas",
      "resourcequotas/status",
    ],
  },
  { apiGroups: [""], verbs: READ, resources: ["namespaces"] },
  { apiGroups: ["discovery.k8s.io"], verbs: READ, resources: ["endpointslices"] },
  {
    apiGroups: ["apps"],
    verbs: READ,
    resources: [
      "controllerrevisions",
      "daemonsets",
      "daemonsets/status",
      "deployments",
      "deployments/scale",
      "deployments/status",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "statefulsets",
      "statefulsets/scale",
      "statefulsets/status",
    ],
  },
  { apiGroups: ["autoscaling"], verbs: READ, resources: ["horizontalpodautoscalers", "horizontalpodautoscalers/status"] },
  { apiGroups: ["batch"], verbs: READ, resources: ["cronjobs", "cronjobs/status", "jobs", "jobs/status"] },
  {
    apiGroups: ["extensions"],
    verbs: READ,
    resources: [
      "daemonsets",
      "daemonsets/status",
      "deployments",
      "deployments/scale",
      "deployments/status",
      "ingresses",
      "ingresses/status",
      "networkpolicies",
      "replicasets",
      "replicasets/scale",
      "replicasets/status",
      "replicationcontrollers/scale",
    ],
  },
  { apiGroups: ["policy"], verbs: READ, resources: ["poddisruptionbudgets", "poddisruptionbudgets/status"] },
  { apiGroups: ["networking.k8s.io"], verbs: READ, resources: ["ingresses", "ingresses/status", "networkpolicies"] },
];

const AGGREGATE_TO_EDIT: PolicyRule[] = [
  { apiGroups: [""], verbs: READ, resources: ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets", "services/proxy"] },
  { apiGroups: [""], verbs: ["impersonate"], resources: ["serviceaccounts"] },
  { apiGroups: [""], verbs: WRITE, resources: ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"] },
  { apiGroups: [""], verbs: ["create"], resources: ["pods/eviction"] },
  {
    apiGroups: [""],
    verbs: WRITE,
    resources: [
      "configmaps",
      "events",
      "persistentvolumeclaims",
      "replicationcontrollers",
      "replicationcontrollers/scale",
      "secrets",
      "serviceaccounts",
      "services",
      "services/proxy",
    ],
  },
  { apiGroups: [""], verbs: ["create"], resources: ["serviceaccounts/token"] },
  {
    apiGroups: ["apps"],
    verbs: WRITE,
    resources: [
      "daemonsets",
      "deployments",
      "deployments/rollback",
      "deployments/scale",
      "replicasets",
      "replicasets/scale",
      "statefulsets",
      "statefulsets/scale",
    ],
  },
  { apiGroups: ["autoscaling"], verbs: WRITE, resources: ["horizontalpodautoscalers"] },
  { apiGroups: ["batch"], verbs: WRITE, resources: ["cronjobs", "jobs"] },
  {
    apiGroups: ["extensions"],
    verbs: WRITE,
    resources: [
      "daemonsets",
      "deployments",
      "deployments/rollback",
      "deployments/scale",
      "ingresses",
      "networkpolicies",
      "replicasets",
      "replicasets/scale",
      "replicationcontrollers/scale",
    ],
  },
  { apiGroups: ["policy"], verbs: WRITE, resources: ["poddisruptionbudgets"] },
  { apiGroups: ["networking.k8s.io"], verbs: WRITE, resources: ["ingresses", "networkpolicies"] },
  { apiGroups: ["coordination.k8s.io"], verbs: [...WRITE, ...READ], resources: ["leases"] },
];

/** The ClusterRoles a sandbox user may be bound to, by name. */
export const CLUSTER_ROLES: Record<string, PolicyRule[]> = {
  view: AGGREGATE_TO_VIEW,
  edit: [...AGGREGATE_TO_EDIT, ...AGGREGATE_TO_VIEW],
};

export type BindableRole = "view" | "edit";
export const BINDABLE_ROLES: BindableRole[] = ["view", "edit"];

/** What every authenticated user may do, cluster-wide: the default ClusterRoles that
 *  ClusterRoleBindings of the same name give the group system:authenticated. */
export const AUTHENTICATED_ROLES: Record<string, PolicyRule[]> = {
  "system:discovery": [
    {
      verbs: ["get"],
      nonResourceURLs: ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz", "/version", "/version/"],
    },
  ],
  "system:basic-user": [
    { verbs: ["create"], apiGroups: ["authorization.k8s.io"], resources: ["selfsubjectaccessreviews", "selfsubjectrulesreviews"] },
    { verbs: ["create"], apiGroups: ["authentication.k8s.io"], resources: ["selfsubjectreviews"] },
  ],
};
