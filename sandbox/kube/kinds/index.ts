// What differs per kind, as a table of hooks the generic verbs of api.ts call at fixed points —
// as kube-apiserver keeps its verbs generic and each kind's rules in its registry strategy.
// A kind without an entry follows the defaults: a DNS-1123 subdomain name, no extra validation
// or admission, deletion answered with a Status.
import type { SandboxRequest, SandboxResponse, ServiceContext } from "../../core/types.js";
import type { StatusCause, Outcome } from "../status.js";
import type { KubeObject, KubeStore, StoredObject } from "../store.js";
import type { KubeUser } from "../rbac/authorizer.js";
import { deployments } from "./deployments.js";
import { namespaces } from "./namespaces.js";
import { pods } from "./pods.js";
import { replicaSets } from "./replica-sets.js";
import { selfSubjectAccessReviews } from "./self-subject-access-reviews.js";
import { cronJobs } from "./cron-jobs.js";
import { jobs } from "./jobs.js";
import { daemonSets } from "./daemon-sets.js";
import { statefulSets } from "./stateful-sets.js";

/** What a kind's hooks may use. */
export interface KubeEnv {
  ctx: ServiceContext;
  store: KubeStore;
  /** Who makes the request (access reviews answer for them). */
  user?: KubeUser;
}

export interface KindHooks {
  /** The rule for metadata.name (an error message, or undefined when valid); default DNS-1123 subdomain. */
  nameRule?: (name: string) => string | undefined;
  /** Type errors the JSON decoder reports for the kind's Go types, before validation. */
  decodeError?: (obj: KubeObject) => string | undefined;
  /** Field validation beyond metadata. */
  validate?: (obj: KubeObject) => StatusCause[];
  /** Create: defaults, server-set fields and admission; the object to store, or the refusal. */
  admit?: (env: KubeEnv, obj: KubeObject) => Outcome<KubeObject> | Promise<Outcome<KubeObject>>;
  /** After a create is stored (not on a dry run): what the controllers do at once. */
  afterCreate?: (env: KubeEnv, created: StoredObject) => void;
  /** Update: a change the kind forbids. */
  checkUpdate?: (old: StoredObject, next: KubeObject) => SandboxResponse | undefined;
  /** Delete: a deletion the kind forbids. */
  checkDelete?: (name: string) => SandboxResponse | undefined;
  /** Deleted gracefully: the answer is the object marked for deletion, not a Status. */
  graceful?: boolean;
  /** A kind that is never stored answers its requests itself (access reviews). */
  serve?: (env: KubeEnv, req: SandboxRequest, name: string | undefined) => SandboxResponse;
}

/** By resource (the plural in the URL). */
const KINDS: Record<string, KindHooks> = {
  pods,
  namespaces,
  deployments,
  replicasets: replicaSets,
  statefulsets: statefulSets,
  daemonsets: daemonSets,
  cronjobs: cronJobs,
  jobs,
  selfsubjectaccessreviews: selfSubjectAccessReviews,
};

export function kindOf(resource: string): KindHooks {
  return Object.hasOwn(KINDS, resource) ? KINDS[resource] : {};
}
