// Kubernetes objects in the sandbox world: keys, metadata stamping, seeding and the background
// work run before each request: the webhook add-on's install, the kubelet's pod start, the
// controllers (controllers/: Deployment → ReplicaSet → Pods, StatefulSet and DaemonSet → Pods)
// and the webhook's endpoints.
import { randomUUID } from "node:crypto";
import type { ServiceContext } from "../core/types.js";
import { runControllers } from "./controllers/index.js";
import type { ResourceDef } from "./discovery.js";
import { NODE_NAME, podEvents, runningStatus, type PodEvent } from "./kubelet.js";
import {
  MWC_NAME,
  WEBHOOK_DEPLOYMENT,
  WEBHOOK_NAMESPACE,
  WEBHOOK_SERVICE,
  mutatingWebhookConfiguration,
  webhookDeployment,
  webhookEndpoints,
  webhookService,
} from "./webhook.js";

/** Internal bookkeeping that no API resource exposes. */
const INTERNAL = "_sandbox";

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** A Kubernetes object as stored: typed metadata, the kind's own fields left loose (each kind's
 *  rules in kinds/ read the fields they know). */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  /** spec, status, data, webhooks…: as the kind defines them. */
  [field: string]: any;
}

/** A stored object: the server has set its name, uid, resourceVersion and creationTimestamp. */
export type StoredObject = KubeObject & { metadata: ObjectMeta & { name: string; uid: string; resourceVersion: string; creationTimestamp: string } };

export const objKey = (ns: string | undefined, name: string) => (ns ? `${ns}/${name}` : name);
export const isoNow = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

export class KubeStore {
  constructor(private readonly ctx: ServiceContext) {}

  get world() {
    return this.ctx.world;
  }
  objects(resource: string): Record<string, StoredObject> {
    return this.ctx.world.kubeObjects(resource);
  }
  private internal(): Record<string, any> {
    return this.ctx.world.kubeObjects(INTERNAL);
  }

  get(resource: string, ns: string | undefined, name: string): StoredObject | undefined {
    return this.objects(resource)[objKey(ns, name)];
  }

  list(resource: string, ns?: string): StoredObject[] {
    return Object.values(this.objects(resource))
      .filter((o) => !ns || o.metadata?.namespace === ns)
      .sort((a, b) => objKey(a.metadata.namespace, a.metadata.name).localeCompare(objKey(b.metadata.namespace, b.metadata.name)));
  }

  /** Stamps server-set metadata on a new object and stores it (unless dryRun). */
  create(def: ResourceDef, obj: KubeObject, manager: string, dryRun = false): StoredObject {
    const now = this.ctx.now();
    obj.apiVersion = def.group ? `${def.group}/${def.version}` : def.version;
    obj.kind = def.kind;
    const m = (obj.metadata ??= {});
    m.uid = randomUUID();
    m.resourceVersion = dryRun ? String(this.world.state.kube.resourceVersion) : this.world.nextResourceVersion();
    m.creationTimestamp = isoNow(now);
    if (["deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "cronjobs", "mutatingwebhookconfigurations"].includes(def.name)) m.generation = 1;
    m.managedFields = [{ manager, operation: "Update", apiVersion: obj.apiVersion, time: isoNow(now), fieldsType: "FieldsV1", fieldsV1: {} }];
    const stored = obj as StoredObject;
    if (!dryRun) {
      this.objects(def.name)[objKey(m.namespace, stored.metadata.name)] = stored;
      this.world.save();
    }
    return stored;
  }

  /** Replaces a stored object, bumping resourceVersion (and generation when the spec changed). */
  replace(def: ResourceDef, old: StoredObject, next: KubeObject, dryRun = false): StoredObject {
    const obj = next as StoredObject;
    const m = obj.metadata;
    m.uid = old.metadata.uid;
    m.creationTimestamp = old.metadata.creationTimestamp;
    m.managedFields = old.metadata.managedFields;
    if (old.metadata.generation !== undefined)
      m.generation =
        JSON.stringify(old.spec ?? old.webhooks) === JSON.stringify(obj.spec ?? obj.webhooks) ? old.metadata.generation : old.metadata.generation + 1;
    else delete m.generation;
    if (JSON.stringify(old) === JSON.stringify({ ...obj, metadata: { ...m, resourceVersion: old.metadata.resourceVersion } })) return old;
    m.resourceVersion = dryRun ? old.metadata.resourceVersion : this.world.nextResourceVersion();
    if (!dryRun) {
      this.objects(def.name)[objKey(m.namespace, m.name)] = obj;
      this.afterWrite(def.name, obj);
      this.world.save();
    }
    return obj;
  }

  remove(resource: string, ns: string | undefined, name: string): void {
    delete this.objects(resource)[objKey(ns, name)];
    if (resource === "namespaces")
      for (const kind of Object.keys(this.world.state.kube.objects))
        for (const [k, o] of Object.entries(this.objects(kind))) if (o.metadata?.namespace === name) delete this.objects(kind)[k];
    if (resource === "pods") delete this.internal()[`pod/${objKey(ns, name)}`];
    if (resource === "deployments") this.syncWebhookEndpoints();
    this.world.save();
  }

  /** A raw insert for seeded/system objects. */
  private put(resource: string, obj: KubeObject & { metadata: { name: string } }) {
    const m = obj.metadata;
    m.uid ??= randomUUID();
    m.resourceVersion = this.world.nextResourceVersion();
    m.creationTimestamp ??= isoNow(this.ctx.now());
    this.objects(resource)[objKey(m.namespace, m.name)] = obj as StoredObject;
  }

  namespaceObject(name: string): KubeObject & { metadata: { name: string } } {
    return {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    };
  }

  defaultServiceAccount(ns: string): KubeObject & { metadata: { name: string } } {
    return { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: ns } };
  }

  /** Seeds the namespaces every cluster starts with (once per world). */
  seed(): void {
    if (this.internal().seeded) return;
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      if (!this.get("namespaces", undefined, ns)) this.put("namespaces", this.namespaceObject(ns));
      if (!this.get("serviceaccounts", ns, "default")) this.put("serviceaccounts", this.defaultServiceAccount(ns));
    }
    this.internal().seeded = true;
    this.world.save();
  }

  podCreatedMs(pod: StoredObject): number {
    return this.internal()[`pod/${objKey(pod.metadata.namespace, pod.metadata.name)}`]?.createdMs ?? Date.parse(pod.metadata.creationTimestamp);
  }

  notePodCreated(pod: StoredObject, ms: number) {
    this.internal()[`pod/${objKey(pod.metadata.namespace, pod.metadata.name)}`] = { createdMs: ms };
  }

  recordEvent(obj: StoredObject, e: PodEvent & { type?: string }, atMs: number) {
    const ns = obj.metadata.namespace ?? "default";
    // names ordered by creation, so lists (and describe's timestamp sort, stable for equal times) keep event order
    const name = `${obj.metadata.name}.${(this.world.state.kube.resourceVersion + 1).toString(16).padStart(16, "0")}`;
    const ts = isoNow(atMs);
    this.put("events", {
      apiVersion: "v1",
      kind: "Event",
      metadata: { name, namespace: ns, creationTimestamp: ts },
      involvedObject: {
        kind: obj.kind,
        namespace: ns,
        name: obj.metadata.name,
        uid: obj.metadata.uid,
        apiVersion: obj.apiVersion,
        resourceVersion: obj.metadata.resourceVersion,
        ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
      },
      reason: e.reason,
      message: e.message,
      source: { component: e.component, ...(e.component === "kubelet" ? { host: NODE_NAME } : {}) },
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
      type: e.type ?? "Normal",
      eventTime: null,
      reportingComponent: e.component === "kubelet" ? "kubelet" : e.component,
      reportingInstance: e.component === "kubelet" ? NODE_NAME : "",
    });
  }

  /** The cluster's workload-identity flag, as ARM wrote it. */
  workloadIdentityEnabled(): boolean {
    try {
      return this.world.cluster().body?.properties?.securityProfile?.workloadIdentity?.enabled === true;
    } catch {
      return false;
    }
  }

  /** What the controllers would have done by now. Called before every request. */
  reconcile(): void {
    this.seed();
    let dirty = false;
    const now = this.ctx.now();
    // the AKS add-on manager installs / removes the webhook with the cluster's workload identity flag
    const wi = this.workloadIdentityEnabled();
    const addon = this.internal().wiAddon;
    if (wi && !addon) {
      this.put("mutatingwebhookconfigurations", mutatingWebhookConfiguration(this.ctx.caPem));
      const dep: KubeObject & { metadata: { name: string } } = webhookDeployment();
      dep.metadata.generation = 1;
      this.put("deployments", dep);
      this.put("services", webhookService());
      this.put("endpoints", webhookEndpoints(dep.spec.replicas));
      this.internal().wiAddon = { installedAt: now };
      dirty = true;
    } else if (!wi && addon) {
      delete this.objects("mutatingwebhookconfigurations")[MWC_NAME];
      delete this.objects("deployments")[objKey(WEBHOOK_NAMESPACE, WEBHOOK_DEPLOYMENT)];
      delete this.objects("services")[objKey(WEBHOOK_NAMESPACE, WEBHOOK_SERVICE)];
      delete this.objects("endpoints")[objKey(WEBHOOK_NAMESPACE, WEBHOOK_SERVICE)];
      delete this.internal().wiAddon;
      dirty = true;
    }
    // the kubelet and the controllers, to a fixed point: pods they create may start at once
    for (let round = 0; round < 10; round++) {
      const started = this.startPods(this.ctx.now());
      const controlled = runControllers({ ctx: this.ctx, store: this });
      if (!started && !controlled) break;
      dirty = true;
    }
    if (dirty) this.world.save();
  }

  /** The kubelet: Pending → Running once podStartMs has passed since creation. */
  private startPods(now: number): boolean {
    let changed = false;
    for (const pod of Object.values(this.objects("pods"))) {
      if (pod.status?.phase !== "Pending") continue;
      const startAt = this.podCreatedMs(pod) + this.ctx.latency.podStartMs;
      if (now < startAt) continue;
      pod.status = runningStatus(pod, isoNow(startAt));
      pod.metadata.resourceVersion = this.world.nextResourceVersion();
      for (const e of podEvents(pod, "started")) this.recordEvent(pod, e, startAt);
      changed = true;
    }
    return changed;
  }

  afterWrite(resource: string, _obj: KubeObject) {
    if (resource === "deployments") this.syncWebhookEndpoints();
  }

  /** What a controller changed on a stored object (its replicas, annotations, status): written
   *  under a new resourceVersion only when something did change; spec changes count a generation. */
  writeByController(resource: string, old: StoredObject, next: KubeObject): boolean {
    const cur = this.get(resource, old.metadata.namespace, old.metadata.name);
    if (!cur || cur.metadata.uid !== old.metadata.uid) return false;
    const obj = { ...next, metadata: { ...next.metadata, resourceVersion: cur.metadata.resourceVersion } } as StoredObject;
    if (JSON.stringify(obj) === JSON.stringify(cur)) return false;
    if (cur.metadata.generation !== undefined && JSON.stringify(cur.spec) !== JSON.stringify(obj.spec)) obj.metadata.generation = cur.metadata.generation + 1;
    obj.metadata.resourceVersion = this.world.nextResourceVersion();
    this.objects(resource)[objKey(obj.metadata.namespace, obj.metadata.name)] = obj;
    return true;
  }

  /** A controller's status write onto the current object. */
  updateStatus(resource: string, obj: StoredObject, status: unknown): boolean {
    const cur = this.get(resource, obj.metadata.namespace, obj.metadata.name);
    return !!cur && this.writeByController(resource, cur, { ...cur, status });
  }

  /** Controller bookkeeping no API object shows (back-off timers), kept with the world. */
  controllerMemo<T>(name: string): { value: T | undefined; set(v: T | undefined): void } {
    const memo = (this.internal().controllers ??= {});
    return {
      value: memo[name],
      set: (v) => {
        if (v === undefined) delete memo[name];
        else memo[name] = v;
      },
    };
  }

  /** An event that repeats an object's latest one (same reason and message) counts up on it, as
   *  the event recorder aggregates; anything else is a new event. */
  recordRepeatedEvent(obj: StoredObject, e: PodEvent & { type?: string }, atMs: number) {
    const last = this.list("events", obj.metadata.namespace)
      .filter((ev) => ev.involvedObject?.uid === obj.metadata.uid)
      .at(-1);
    if (!last || last.reason !== e.reason || last.message !== e.message) return this.recordEvent(obj, e, atMs);
    last.count = (last.count ?? 1) + 1;
    last.lastTimestamp = isoNow(atMs);
    last.metadata.resourceVersion = this.world.nextResourceVersion();
  }

  /** The endpoints controller: the webhook service's ready addresses follow its deployment's replicas. */
  syncWebhookEndpoints() {
    const svc = this.get("services", WEBHOOK_NAMESPACE, WEBHOOK_SERVICE);
    if (!svc) return;
    const dep = this.get("deployments", WEBHOOK_NAMESPACE, WEBHOOK_DEPLOYMENT);
    const ready = dep ? Number(dep.spec?.replicas ?? 1) : 0;
    const old = this.get("endpoints", WEBHOOK_NAMESPACE, WEBHOOK_SERVICE);
    const ep: KubeObject & { metadata: { name: string } } = webhookEndpoints(ready);
    if (old) {
      ep.metadata.uid = old.metadata.uid;
      ep.metadata.creationTimestamp = old.metadata.creationTimestamp;
    }
    this.put("endpoints", ep);
  }
}
