// ControllerRevisions (kubernetes/pkg/controller/history), as the StatefulSet and DaemonSet
// controllers keep them: one per distinct pod template, named `<owner>-<hash>` with the hash in
// the controller-revision-hash label, `revision` counting up (a template seen before becomes the
// newest revision again, as a rollback does), and history beyond revisionHistoryLimit deleted,
// oldest first, unless a pod still runs it. `kubectl rollout history` and `undo` read them.
import { findResource } from "../discovery.js";
import type { KubeEnv } from "../kinds/index.js";
import type { KubeObject, StoredObject } from "../store.js";
import { controllerRef, ownedBy } from "./owners.js";
import { podTemplateHash } from "./template-hash.js";

const CR_DEF = findResource("apps", "v1", "controllerrevisions")!;
const MANAGER = "kube-controller-manager";
export const REVISION_HASH_LABEL = "controller-revision-hash";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

export function revisionsOf(env: KubeEnv, owner: StoredObject): StoredObject[] {
  return env.store
    .list("controllerrevisions", owner.metadata.namespace)
    .filter(ownedBy(owner))
    .sort((a, b) => Number(a.revision ?? 0) - Number(b.revision ?? 0));
}

/** What a revision holds: the owner's template, as the controllers' getPatch stores it. */
const dataOf = (template: unknown) => ({ spec: { template: { ...clone(template as object), $patch: "replace" } } });

/** The template a revision records. */
export function templateOfRevision(rev: StoredObject): any {
  const t = clone(rev.data?.spec?.template ?? {});
  delete t.$patch;
  return t;
}

/** The revision of the owner's current template: found, renumbered as the newest, or created. */
export function updateRevision(env: KubeEnv, owner: StoredObject): StoredObject {
  const revs = revisionsOf(env, owner);
  const data = dataOf(owner.spec.template);
  const max = Math.max(0, ...revs.map((r) => Number(r.revision ?? 0)));
  const same = revs.find((r) => JSON.stringify(r.data) === JSON.stringify(data));
  if (same) {
    if (Number(same.revision) === max) return same;
    env.store.writeByController("controllerrevisions", same, { ...clone(same), revision: max + 1 });
    return env.store.get("controllerrevisions", same.metadata.namespace, same.metadata.name)!;
  }
  const hash = podTemplateHash(owner.spec.template, owner.status?.collisionCount);
  const rev: KubeObject = {
    metadata: {
      name: `${owner.metadata.name}-${hash}`,
      namespace: owner.metadata.namespace,
      labels: { ...(owner.spec.selector?.matchLabels ?? {}), [REVISION_HASH_LABEL]: hash },
      ownerReferences: [controllerRef(owner)],
    },
    data,
    revision: max + 1,
  };
  return env.store.create(CR_DEF, rev, MANAGER);
}

/** The hash part of a revision's name (its label). */
export const hashOf = (rev: StoredObject) => rev.metadata.labels?.[REVISION_HASH_LABEL] ?? "";

/** truncateHistory: revisions beyond the limit that no live pod runs are deleted, oldest first. */
export function truncateHistory(env: KubeEnv, owner: StoredObject, live: Set<string>): boolean {
  const limit = Number(owner.spec?.revisionHistoryLimit ?? 10);
  const revs = revisionsOf(env, owner);
  const newest = revs.at(-1)?.metadata.name;
  const idle = revs.filter((r) => r.metadata.name !== newest && !live.has(r.metadata.name));
  const extra = idle.slice(0, Math.max(0, idle.length - limit));
  for (const r of extra) env.store.remove("controllerrevisions", r.metadata.namespace, r.metadata.name);
  return extra.length > 0;
}
