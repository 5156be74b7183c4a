// Which workloads doctor judges, found in the inventory (pure): every service account that names
// an identity (the client-id annotation, or a key close to it) or carries the pod label itself,
// and every service account a labelled or annotated pod or Deployment runs under, made by aks-wi
// or not. Each such service account's Deployments and standalone pods are one workload each; a
// service account nothing runs under is a workload of its own.
import { CLIENT_ID_ANNOTATION, USE_LABEL } from "../core/workload-identity.js";
import type { Inventory, InventoryDeployment, InventoryPod } from "./ports.js";
import { nearKeys } from "./near-keys.js";
import type { Workload } from "./types.js";

const key = (namespace: string, sa: string) => `${namespace}/${sa}`;

/** The Deployment a pod belongs to: its ReplicaSet is named after the Deployment plus a hash. */
export function deploymentOf(pod: InventoryPod, deployments: Map<string, InventoryDeployment>): InventoryDeployment | undefined {
  if (pod.owner?.kind !== "ReplicaSet") return undefined;
  const name = pod.owner.name.replace(/-[^-]+$/, "");
  return deployments.get(key(pod.namespace, name));
}

/** The pod to judge a Deployment by: the newest running one that is not going away, else the newest. */
export function pickPod(pods: InventoryPod[]): InventoryPod | undefined {
  const live = pods.filter((p) => !p.deleting).sort((a, b) => (b.creationTimestamp ?? "").localeCompare(a.creationTimestamp ?? ""));
  return live.find((p) => p.phase === "Running") ?? live[0];
}

export function findWorkloads(inv: Inventory): Workload[] {
  const sas = new Map(inv.serviceAccounts.map((s) => [key(s.namespace, s.name), s]));
  const deployments = new Map(inv.deployments.map((d) => [key(d.namespace, d.name), d]));
  const wanted = new Set<string>();
  for (const s of inv.serviceAccounts) {
    if (s.annotations[CLIENT_ID_ANNOTATION] !== undefined || nearKeys(s.annotations).length || s.labels[USE_LABEL] !== undefined)
      wanted.add(key(s.namespace, s.name));
  }
  for (const p of inv.pods) {
    if (p.labels[USE_LABEL] !== undefined || p.annotations[CLIENT_ID_ANNOTATION] !== undefined) wanted.add(key(p.namespace, p.serviceAccountName));
  }
  for (const d of inv.deployments) {
    const marked =
      [d.labels, d.templateLabels].some((l) => l[USE_LABEL] !== undefined) ||
      [d.annotations, d.templateAnnotations].some((a) => a[CLIENT_ID_ANNOTATION] !== undefined);
    if (marked) wanted.add(key(d.namespace, d.serviceAccountName));
  }

  // Indexed by namespace/service account once, so hundreds of service accounts cost one pass each.
  const group = <T>(items: T[], keyOf: (t: T) => string) => {
    const m = new Map<string, T[]>();
    for (const t of items) {
      const k = keyOf(t);
      const list = m.get(k);
      if (list) list.push(t);
      else m.set(k, [t]);
    }
    return m;
  };
  const podsBySa = group(inv.pods, (p) => key(p.namespace, p.serviceAccountName));
  const deploymentsBySa = group(inv.deployments, (d) => key(d.namespace, d.serviceAccountName));

  const out: Workload[] = [];
  for (const k of [...wanted].sort()) {
    const [namespace, serviceAccount] = [k.slice(0, k.indexOf("/")), k.slice(k.indexOf("/") + 1)];
    const sa = sas.get(k);
    const base = { namespace, serviceAccount, ...(sa ? { sa } : {}) };
    const pods = podsBySa.get(k) ?? [];
    const mine = [...(deploymentsBySa.get(k) ?? [])];
    const owned = new Map<string, InventoryPod[]>();
    const standalone: InventoryPod[] = [];
    for (const p of pods) {
      const d = deploymentOf(p, deployments);
      // A pod left from a rollout under another service account is judged on its own.
      if (d && d.serviceAccountName === serviceAccount) owned.set(d.name, [...(owned.get(d.name) ?? []), p]);
      else standalone.push(p);
    }
    for (const d of mine.sort((a, b) => a.name.localeCompare(b.name))) {
      const pod = pickPod(owned.get(d.name) ?? []);
      out.push({ ...base, kind: "deployment", name: d.name, deployment: d, ...(pod ? { pod } : {}) });
    }
    for (const p of standalone.filter((x) => !x.deleting).sort((a, b) => a.name.localeCompare(b.name)))
      out.push({ ...base, kind: "pod", name: p.name, pod: p });
    if (!mine.length && !standalone.length) out.push({ ...base, kind: "serviceaccount", name: serviceAccount });
  }
  return out;
}
