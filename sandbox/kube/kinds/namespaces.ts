// Namespaces: a DNS-1123 label for a name, the server-set label, finalizer and phase, a
// "default" service account made at once (the service-account controller), the four system
// namespaces protected from deletion, and a graceful deletion.
import { findResource } from "../discovery.js";
import { dns1123Label } from "../names.js";
import { failure } from "../status.js";
import type { KindHooks } from "./index.js";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export const namespaces: KindHooks = {
  nameRule: dns1123Label,
  admit(_env, ns) {
    ns.metadata.labels = { ...(ns.metadata.labels ?? {}), "kubernetes.io/metadata.name": ns.metadata.name! };
    ns.spec = { finalizers: ["kubernetes"] };
    ns.status = { phase: "Active" };
    return { ok: true, value: ns };
  },
  afterCreate({ store }, ns) {
    if (!store.get("serviceaccounts", ns.metadata.name, "default"))
      store.create(findResource("", "v1", "serviceaccounts")!, store.defaultServiceAccount(ns.metadata.name), "kube-controller-manager");
  },
  checkDelete(name) {
    if (!SYSTEM_NAMESPACES.includes(name)) return undefined;
    return failure(403, `namespaces "${name}" is forbidden: this namespace may not be deleted`, "Forbidden", { name, kind: "namespaces" });
  },
  graceful: true,
};
