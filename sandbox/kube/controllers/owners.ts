// Owner references, as the controllers set them on what they create (a ReplicaSet owned by its
// Deployment, a Pod by its ReplicaSet) and as the garbage collector follows them.
import type { KubeObject, OwnerReference, StoredObject } from "../store.js";

export function controllerRef(owner: StoredObject): OwnerReference {
  return { apiVersion: owner.apiVersion!, kind: owner.kind!, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true };
}

/** The uid of the object's managing controller, if it has one. */
export function controllerUid(obj: KubeObject): string | undefined {
  return (obj.metadata.ownerReferences ?? []).find((r) => r.controller)?.uid;
}

export const ownedBy = (owner: StoredObject) => (obj: KubeObject) => controllerUid(obj) === owner.metadata.uid;
