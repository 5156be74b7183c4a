// Discovery documents (legacy, non-aggregated): kubectl 1.32 and client-node fall back to these
// when the answer's content type is plain application/json rather than apidiscovery.k8s.io/v2.
export interface ResourceDef {
  group: string;
  version: string;
  /** Plural, as in the URL. */
  name: string;
  singularName: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  /** Subresources served (name → kind and verbs). */
  subresources?: Record<string, { kind: string; verbs: string[]; group?: string; version?: string }>;
}

const rw = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

export const RESOURCES: ResourceDef[] = [
  {
    group: "",
    version: "v1",
    name: "namespaces",
    singularName: "namespace",
    kind: "Namespace",
    namespaced: false,
    verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
    shortNames: ["ns"],
    subresources: { status: { kind: "Namespace", verbs: ["get", "patch", "update"] } },
  },
  {
    group: "",
    version: "v1",
    name: "serviceaccounts",
    singularName: "serviceaccount",
    kind: "ServiceAccount",
    namespaced: true,
    verbs: rw,
    shortNames: ["sa"],
    subresources: { token: { kind: "TokenRequest", verbs: ["create"], group: "authentication.k8s.io", version: "v1" } },
  },
  {
    group: "",
    version: "v1",
    name: "pods",
    singularName: "pod",
    kind: "Pod",
    namespaced: true,
    verbs: rw,
    shortNames: ["po"],
    categories: ["all"],
    subresources: {
      exec: { kind: "PodExecOptions", verbs: ["create", "get"] },
      log: { kind: "Pod", verbs: ["get"] },
      status: { kind: "Pod", verbs: ["get", "patch", "update"] },
    },
  },
  { group: "", version: "v1", name: "events", singularName: "event", kind: "Event", namespaced: true, verbs: rw, shortNames: ["ev"] },
  {
    group: "",
    version: "v1",
    name: "services",
    singularName: "service",
    kind: "Service",
    namespaced: true,
    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    shortNames: ["svc"],
    categories: ["all"],
  },
  { group: "", version: "v1", name: "endpoints", singularName: "endpoints", kind: "Endpoints", namespaced: true, verbs: rw, shortNames: ["ep"] },
  {
    group: "apps",
    version: "v1",
    name: "deployments",
    singularName: "deployment",
    kind: "Deployment",
    namespaced: true,
    verbs: rw,
    shortNames: ["deploy"],
    categories: ["all"],
    subresources: {
      scale: { kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1" },
      status: { kind: "Deployment", verbs: ["get", "patch", "update"] },
    },
  },
  {
    group: "apps",
    version: "v1",
    name: "replicasets",
    singularName: "replicaset",
    kind: "ReplicaSet",
    namespaced: true,
    verbs: rw,
    shortNames: ["rs"],
    categories: ["all"],
    subresources: {
      scale: { kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1" },
      status: { kind: "ReplicaSet", verbs: ["get", "patch", "update"] },
    },
  },
  {
    group: "apps",
    version: "v1",
    name: "statefulsets",
    singularName: "statefulset",
    kind: "StatefulSet",
    namespaced: true,
    verbs: rw,
    shortNames: ["sts"],
    categories: ["all"],
    subresources: {
      scale: { kind: "Scale", verbs: ["get", "patch", "update"], group: "autoscaling", version: "v1" },
      status: { kind: "StatefulSet", verbs: ["get", "patch", "update"] },
    },
  },
  {
    group: "apps",
    version: "v1",
    name: "daemonsets",
    singularName: "daemonset",
    kind: "DaemonSet",
    namespaced: true,
    verbs: rw,
    shortNames: ["ds"],
    categories: ["all"],
    subresources: { status: { kind: "DaemonSet", verbs: ["get", "patch", "update"] } },
  },
  // what the StatefulSet and DaemonSet controllers keep their templates in (controllers/revisions.ts)
  { group: "apps", version: "v1", name: "controllerrevisions", singularName: "controllerrevision", kind: "ControllerRevision", namespaced: true, verbs: rw },
  // the Job controller makes each Job's pods (controllers/job.ts); they never exit, so no Job completes
  {
    group: "batch",
    version: "v1",
    name: "jobs",
    singularName: "job",
    kind: "Job",
    namespaced: true,
    verbs: rw,
    categories: ["all"],
    subresources: { status: { kind: "Job", verbs: ["get", "patch", "update"] } },
  },
  // stored and defaulted only: the sandbox runs no CronJob controller, so nothing is ever scheduled
  {
    group: "batch",
    version: "v1",
    name: "cronjobs",
    singularName: "cronjob",
    kind: "CronJob",
    namespaced: true,
    verbs: rw,
    shortNames: ["cj"],
    categories: ["all"],
    subresources: { status: { kind: "CronJob", verbs: ["get", "patch", "update"] } },
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1",
    name: "mutatingwebhookconfigurations",
    singularName: "mutatingwebhookconfiguration",
    kind: "MutatingWebhookConfiguration",
    namespaced: false,
    verbs: rw,
    categories: ["api-extensions"],
  },
  // answered for the caller by the authorizer (kinds/self-subject-access-reviews.ts)
  {
    group: "authorization.k8s.io",
    version: "v1",
    name: "selfsubjectaccessreviews",
    singularName: "selfsubjectaccessreview",
    kind: "SelfSubjectAccessReview",
    namespaced: false,
    verbs: ["create"],
  },
];

export const GROUPS = [...new Set(RESOURCES.map((r) => r.group).filter(Boolean))];

export function findResource(group: string, version: string, name: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.name === name);
}

export function versionInfo() {
  return {
    major: "1",
    minor: "32",
    gitVersion: "v1.32.6",
    gitCommit: "2f9f6a1b8ae1ac8fe4cbb6bcb0e2d6f5c1a8c3b7",
    gitTreeState: "clean",
    buildDate: "2025-06-17T18:12:35Z",
    goVersion: "go1.23.10",
    compiler: "gc",
    platform: "linux/amd64",
  };
}

export function apiVersions(serverAddress: string) {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress }] };
}

export function apiGroupList() {
  return {
    kind: "APIGroupList",
    apiVersion: "v1",
    groups: GROUPS.map((g) => ({
      name: g,
      versions: [{ groupVersion: `${g}/v1`, version: "v1" }],
      preferredVersion: { groupVersion: `${g}/v1`, version: "v1" },
    })),
  };
}

export function apiGroup(group: string) {
  if (!GROUPS.includes(group)) return undefined;
  return {
    kind: "APIGroup",
    apiVersion: "v1",
    name: group,
    versions: [{ groupVersion: `${group}/v1`, version: "v1" }],
    preferredVersion: { groupVersion: `${group}/v1`, version: "v1" },
  };
}

export function resourceList(group: string, version: string) {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (!defs.length) return undefined;
  const resources: unknown[] = [];
  for (const r of defs) {
    resources.push({
      name: r.name,
      singularName: r.singularName,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const [sub, s] of Object.entries(r.subresources ?? {}))
      resources.push({
        name: `${r.name}/${sub}`,
        singularName: "",
        namespaced: r.namespaced,
        ...(s.group ? { group: s.group, version: s.version } : {}),
        kind: s.kind,
        verbs: s.verbs,
      });
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version, resources };
}
