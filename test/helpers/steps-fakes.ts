// In-memory fakes of our own AzureOps / KubeOps / Ui interfaces for the step unit tests. They
// record every write, so tests can assert "no writes" on a re-run.
import { randomUUID } from "node:crypto";
import { ChangedSincePlanError } from "../../src/core/errors.js";
import type {
  AccessQuestion,
  ArmPermission,
  AzureOps,
  ClusterInfo,
  FederatedCredentialInfo,
  IdentityInfo,
  KubeOps,
  NamespaceInfo,
  PodInfo,
  PodTemplatePatch,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
  RolloutStatus,
  ServiceAccountInfo,
  WorkloadInfo,
  WorkloadKind,
} from "../../src/core/ports.js";
import type { InitInputs, InitState } from "../../src/init/state.js";
import { GraphError, runGraph } from "../../src/init/graph.js";
import { observe } from "../../src/init/observe.js";
import { resolveDependencies } from "../../src/init/runner.js";
import type { Step, StepContext, StepPlan } from "../../src/init/step.js";
import type { Ui } from "../../src/terminal/ui.js";

export const SUB = "00000000-0000-0000-0000-000000000001";
export const TENANT = "11111111-1111-1111-1111-111111111111";
export const OTHER_TENANT = "22222222-2222-2222-2222-222222222222";
export const ROLE_GUIDS: Record<string, string> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Key Vault Secrets User": "4633458b-17de-408a-b874-0445c86b69e6",
};
export const VAULT_SCOPE = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app`;

export class FakeAzure implements AzureOps {
  writes: string[] = [];
  /** The ARM ID each write went to, in order (what a plan's operation names as its target). */
  writeTargets: string[] = [];
  cluster: ClusterInfo = {
    id: `/subscriptions/${SUB}/resourceGroups/rg-sandbox/providers/Microsoft.ContainerService/managedClusters/aks-sandbox`,
    name: "aks-sandbox",
    resourceGroup: "rg-sandbox",
    location: "eastus",
    provisioningState: "Succeeded",
    oidcIssuerEnabled: false,
    workloadIdentityEnabled: false,
    aadEnabled: false,
  };
  /** What enableWorkloadIdentity publishes as the issuer (trailing slash, as AKS does). */
  issuerOnEnable = `https://eastus.oic.prod-aks.azure.com/${TENANT}/${randomUUID()}/`;
  identities = new Map<string, IdentityInfo>();
  /** The subscription of each identity read or write, in order ("getIdentity <sub>"). */
  identitySubscriptions: string[] = [];
  identityTenant = TENANT;
  fics = new Map<string, FederatedCredentialInfo[]>();
  assignments: RoleAssignmentInfo[] = [];
  createdPrincipals: { principalId: string; clientId: string }[] = [];
  /** The region's supported Kubernetes minors; undefined: the cloud cannot say (the method is optional). */
  listKubernetesVersions?: (subscription: string, location: string) => Promise<string[]>;

  private idKey = (rg: string, name: string) => `${rg}/${name}`.toLowerCase();

  async listSubscriptions() {
    return [{ id: SUB, name: "sub", tenantId: TENANT }];
  }
  async listResourceGroups() {
    return [{ name: "rg-sandbox", location: "eastus" }];
  }
  async listClusters() {
    return [{ ...this.cluster }];
  }
  async getCluster(_s: string, rg: string, name: string) {
    return rg === this.cluster.resourceGroup && name === this.cluster.name ? { ...this.cluster, etag: this.etag() } : undefined;
  }
  /** How long an accepted cluster update takes to finish (0: at once). */
  clusterUpdateMs = 0;
  /** Ordered notes of writes, for tests of what ran side by side. */
  events: string[] = [];
  /** Bumped by every change to the cluster: the eTag a plan sees and an update must match. */
  clusterVersion = 1;
  /** Effective permissions by scope (lower-case); unlisted scopes grant everything. */
  permissions = new Map<string, ArmPermission[]>();
  permissionReads: string[] = [];
  /** Like the real one: waits out a running operation, writes only when a flag is off, and refuses
   *  (If-Match) a cluster changed since `observed` was read. */
  async enableWorkloadIdentity(observed: ClusterInfo, hooks: { onAccepted?: () => void; onProgress?: (s: string) => void } = {}) {
    const busy = !["succeeded", "failed", "canceled", ""].includes(observed.provisioningState.toLowerCase());
    if (!busy && observed.etag !== this.etag()) throw new ChangedSincePlanError(`cluster ${observed.name}`);
    this.cluster = { ...this.cluster, provisioningState: "Succeeded" };
    hooks.onAccepted?.();
    if (this.cluster.oidcIssuerEnabled && this.cluster.workloadIdentityEnabled) return { ...this.cluster, etag: this.etag() };
    this.writes.push("enableWorkloadIdentity");
    this.events.push("cluster update accepted");
    if (this.clusterUpdateMs) await new Promise((r) => setTimeout(r, this.clusterUpdateMs));
    this.events.push("cluster update done");
    this.writeTargets.push(this.cluster.id);
    hooks.onProgress?.("updating");
    this.cluster = { ...this.cluster, oidcIssuerEnabled: true, workloadIdentityEnabled: true, issuerUrl: this.issuerOnEnable };
    this.clusterVersion++;
    return { ...this.cluster, etag: this.etag() };
  }
  etag() {
    return `"v${this.clusterVersion}"`;
  }
  async callerPermissions(scope: string): Promise<ArmPermission[]> {
    this.permissionReads.push(scope);
    return this.permissions.get(scope.toLowerCase()) ?? [{ actions: ["*"], notActions: [] }];
  }
  async listIdentities() {
    return [...this.identities.values()];
  }
  async getIdentity(s: string, rg: string, name: string) {
    this.identitySubscriptions.push(`getIdentity ${s}`);
    const i = this.identities.get(this.idKey(rg, name));
    return i && { ...i };
  }
  async createIdentity(s: string, rg: string, name: string, location: string, tags?: Record<string, string>) {
    this.identitySubscriptions.push(`createIdentity ${s}`);
    this.writes.push(`createIdentity ${name} ${location}`);
    this.events.push("identity created");
    this.writeTargets.push(`/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`);
    const i: IdentityInfo = {
      id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
      name,
      resourceGroup: rg,
      location,
      clientId: randomUUID(),
      principalId: randomUUID(),
      tenantId: this.identityTenant,
      ...(tags ? { tags: { ...tags } } : {}),
    };
    this.identities.set(this.idKey(rg, name), i);
    return { ...i };
  }
  async listFederatedCredentials(s: string, rg: string, identity: string) {
    this.identitySubscriptions.push(`listFederatedCredentials ${s}`);
    return (this.fics.get(this.idKey(rg, identity)) ?? []).map((f) => ({ ...f, audiences: [...f.audiences] }));
  }
  async putFederatedCredential(s: string, rg: string, identity: string, fc: { name: string; issuer: string; subject: string; audiences: string[] }) {
    this.identitySubscriptions.push(`putFederatedCredential ${s}`);
    this.writes.push(`putFederatedCredential ${fc.name}`);
    this.writeTargets.push(`${this.identities.get(this.idKey(rg, identity))!.id}/federatedIdentityCredentials/${fc.name}`);
    const list = this.fics.get(this.idKey(rg, identity)) ?? [];
    const made: FederatedCredentialInfo = {
      id: `${this.identities.get(this.idKey(rg, identity))!.id}/federatedIdentityCredentials/${fc.name}`,
      ...fc,
      audiences: [...fc.audiences],
    };
    this.fics.set(this.idKey(rg, identity), [...list.filter((f) => f.name !== fc.name), made]);
    return { ...made };
  }
  async resolveRole(scope: string, role: string): Promise<RoleDefinitionInfo | undefined> {
    const sub = /^\/subscriptions\/[^/]+/.exec(scope)![0];
    const entry = Object.entries(ROLE_GUIDS).find(([n, g]) => n === role || g === role);
    return entry && { id: `${sub}/providers/Microsoft.Authorization/roleDefinitions/${entry[1]}`, name: entry[1], roleName: entry[0] };
  }
  /** The scope of each role-assignment listing, in order. */
  assignmentListings: string[] = [];
  async listRoleAssignments(scope: string, principalId: string) {
    this.assignmentListings.push(scope);
    return this.assignments.filter((a) => a.principalId === principalId).map((a) => ({ ...a }));
  }
  async createRoleAssignment(scope: string, name: string, roleDefinitionId: string, principalId: string, description?: string) {
    this.writes.push(`createRoleAssignment ${name}`);
    this.writeTargets.push(`${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`);
    const same = this.assignments.find(
      (a) => a.scope.toLowerCase() === scope.toLowerCase() && a.roleDefinitionId === roleDefinitionId && a.principalId === principalId,
    );
    if (same) return { ...same };
    const a = {
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      scope,
      roleDefinitionId,
      principalId,
      ...(description ? { description } : {}),
    };
    this.assignments.push(a);
    return { ...a };
  }
  async deleteRoleAssignment(id: string) {
    this.writes.push(`deleteRoleAssignment ${id.split("/").pop()}`);
    this.writeTargets.push(id);
    this.assignments = this.assignments.filter((a) => a.id.toLowerCase() !== id.toLowerCase());
  }
  async deleteFederatedCredential(_s: string, rg: string, identity: string, name: string) {
    this.writes.push(`deleteFederatedCredential ${name}`);
    const list = this.fics.get(this.idKey(rg, identity)) ?? [];
    this.writeTargets.push(`${this.identities.get(this.idKey(rg, identity))?.id}/federatedIdentityCredentials/${name}`);
    this.fics.set(
      this.idKey(rg, identity),
      list.filter((f) => f.name !== name),
    );
  }
  async deleteIdentity(_s: string, rg: string, name: string) {
    this.writes.push(`deleteIdentity ${name}`);
    this.writeTargets.push(this.identities.get(this.idKey(rg, name))?.id ?? name);
    this.identities.delete(this.idKey(rg, name));
    this.fics.delete(this.idKey(rg, name));
  }
  async getClusterKubeconfig() {
    return "apiVersion: v1\nkind: Config\n";
  }
}

export class FakeKube implements KubeOps {
  writes: string[] = [];
  /** The API path each write went to, in order. */
  writeTargets: string[] = [];
  namespaces = new Set(["default", "kube-system"]);
  sas = new Map<string, ServiceAccountInfo>();
  pods = new Map<string, PodInfo>();
  /** Phase new pods reach; "Pending" simulates a pod that never starts. */
  podPhase = "Running";
  /** Whether the webhook is active (workload identity on) for new pods. */
  webhook = () => true;

  async listNamespaces() {
    return [...this.namespaces];
  }
  async namespaceExists(name: string) {
    return this.namespaces.has(name);
  }
  async createNamespace(name: string, labels: Record<string, string> = {}) {
    this.writes.push(`createNamespace ${name}`);
    this.writeTargets.push(`/api/v1/namespaces/${name}`);
    this.namespaces.add(name);
    this.namespaceLabels.set(name, { ...labels });
  }
  async listServiceAccounts(ns: string) {
    return [...this.sas.values()].filter((s) => s.namespace === ns);
  }
  async getServiceAccount(ns: string, name: string) {
    const s = this.sas.get(`${ns}/${name}`);
    return s && { ...s, annotations: { ...s.annotations }, labels: { ...s.labels } };
  }
  async createServiceAccount(ns: string, name: string, annotations: Record<string, string>, labels: Record<string, string> = {}) {
    this.writes.push(`createServiceAccount ${ns}/${name}`);
    this.writeTargets.push(`/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
    if (!this.namespaces.has(ns)) throw new Error(`namespace ${ns} not found`);
    if (this.sas.has(`${ns}/${name}`)) throw new ChangedSincePlanError(`service account ${ns}/${name}`);
    const s: ServiceAccountInfo = { namespace: ns, name, uid: randomUUID(), annotations: { ...annotations }, labels: { ...labels }, resourceVersion: "1" };
    this.sas.set(`${ns}/${name}`, s);
    return { ...s };
  }
  /** Kubernetes questions answered no ("verb resource namespace"). */
  denied = new Set<string>();
  async canI(q: AccessQuestion) {
    return !this.denied.has(`${q.verb} ${q.resource} ${q.namespace ?? ""}`.trim());
  }
  /** JSON merge-patch semantics on metadata.annotations: null deletes, others set; a stale resourceVersion is refused. */
  async mergeAnnotations(ns: string, name: string, patch: Record<string, string | null>, resourceVersion?: string) {
    const s = this.sas.get(`${ns}/${name}`)!;
    if (resourceVersion && s.resourceVersion !== resourceVersion) throw new ChangedSincePlanError(`service account ${ns}/${name}`);
    this.writes.push(`mergeAnnotations ${ns}/${name} ${JSON.stringify(patch)}`);
    this.writeTargets.push(`/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
    s.resourceVersion = String(Number(s.resourceVersion ?? "1") + 1);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null) delete s.annotations[k];
      else s.annotations[k] = v;
    }
    return { ...s, annotations: { ...s.annotations } };
  }
  async getPod(ns: string, name: string) {
    const p = this.pods.get(`${ns}/${name}`);
    return p && structuredClone(p);
  }
  async createPod(manifest: Record<string, any>) {
    const ns = manifest.metadata.namespace;
    const name = manifest.metadata.name;
    this.writes.push(`createPod ${ns}/${name}`);
    this.writeTargets.push(`/api/v1/namespaces/${ns}/pods/${name}`);
    const saName = manifest.spec.serviceAccountName;
    const labels = { ...manifest.metadata.labels };
    const env = this.injected(ns, saName, labels);
    const p: PodInfo = {
      namespace: ns,
      name,
      uid: randomUUID(),
      phase: this.podPhase,
      serviceAccountName: saName,
      labels,
      annotations: { ...(manifest.metadata.annotations ?? {}) },
      containers: manifest.spec.containers.map((c: any) => ({ name: c.name, init: false, env: { ...env } })),
      volumes: [],
    };
    this.pods.set(`${ns}/${name}`, p);
    return structuredClone(p);
  }
  /** What the webhook injects into a pod with these labels using this service account (nothing unless labelled and annotated). */
  injected(ns: string, saName: string, labels: Record<string, string>): Record<string, string> {
    const sa = this.sas.get(`${ns}/${saName}`);
    const env: Record<string, string> = {};
    if (this.webhook() && labels["azure.workload.identity/use"] === "true" && sa?.annotations["azure.workload.identity/client-id"]) {
      env.AZURE_CLIENT_ID = sa.annotations["azure.workload.identity/client-id"];
      env.AZURE_TENANT_ID = sa.annotations["azure.workload.identity/tenant-id"] ?? TENANT;
      env.AZURE_FEDERATED_TOKEN_FILE = "/var/run/secrets/azure/tokens/azure-identity-token";
      env.AZURE_AUTHORITY_HOST = "https://login.microsoftonline.com/";
    }
    return env;
  }
  async deletePod(ns: string, name: string) {
    this.writes.push(`deletePod ${ns}/${name}`);
    this.writeTargets.push(`/api/v1/namespaces/${ns}/pods/${name}`);
    this.pods.delete(`${ns}/${name}`);
  }
  async waitForPodRunning(ns: string, name: string) {
    return this.getPod(ns, name);
  }
  /** Labels of the namespaces (those made by createNamespace, or set by a test). */
  namespaceLabels = new Map<string, Record<string, string>>();
  /** Objects of other kinds a namespace holds ("kind/name"), besides its service accounts and pods. */
  otherObjects = new Map<string, string[]>();
  async getNamespace(name: string): Promise<NamespaceInfo | undefined> {
    return this.namespaces.has(name) ? { name, labels: { ...(this.namespaceLabels.get(name) ?? {}) } } : undefined;
  }
  /** All pods of the namespace, or those matching a selector of k=v pairs. */
  async listPods(ns: string, selector?: string) {
    const want = (selector ? selector.split(",") : []).map((kv) => kv.split("=") as [string, string]);
    return [...this.pods.values()].filter((p) => p.namespace === ns && want.every(([k, v]) => p.labels[k] === v)).map((p) => structuredClone(p));
  }
  async listNamespaceObjects(ns: string) {
    // Like a cluster: every namespace has its "default" service account.
    const sas = [...new Set(["default", ...[...this.sas.values()].filter((s) => s.namespace === ns).map((s) => s.name)])];
    return [
      ...[...this.pods.values()].filter((p) => p.namespace === ns).map((p) => `pods/${p.name}`),
      ...sas.map((n) => `serviceaccounts/${n}`),
      ...(this.otherObjects.get(ns) ?? []),
    ];
  }
  async deleteServiceAccount(ns: string, name: string) {
    this.writes.push(`deleteServiceAccount ${ns}/${name}`);
    this.writeTargets.push(`/api/v1/namespaces/${ns}/serviceaccounts/${name}`);
    this.sas.delete(`${ns}/${name}`);
  }
  /** As Kubernetes: everything in the namespace goes with it. */
  async deleteNamespace(name: string) {
    this.writes.push(`deleteNamespace ${name}`);
    this.writeTargets.push(`/api/v1/namespaces/${name}`);
    this.namespaces.delete(name);
    this.namespaceLabels.delete(name);
    this.otherObjects.delete(name);
    for (const [k, s] of this.sas) if (s.namespace === name) this.sas.delete(k);
    for (const [k, p] of this.pods) if (p.namespace === name) this.pods.delete(k);
  }

  /** Workloads by "kind ns/name", each selecting its pods by app=<name>. */
  workloads = new Map<string, WorkloadInfo & { replicas: number }>();
  /** What waitForRollout answers after a patch. */
  rollout: RolloutStatus = { done: true, message: "successfully rolled out" };
  /** A workload and its pods, made now (with the webhook's mutation as it is at this moment). */
  addWorkload(kind: WorkloadKind, ns: string, name: string, over: Partial<WorkloadInfo> & { replicas?: number } = {}): WorkloadInfo {
    const w = {
      kind,
      namespace: ns,
      name,
      uid: randomUUID(),
      serviceAccountName: "default",
      templateLabels: { app: name },
      templateAnnotations: {},
      selector: kind === "cronjob" ? "" : `app=${name}`,
      replicas: 2,
      ...over,
    };
    this.workloads.set(`${kind} ${ns}/${name}`, w);
    this.replacePods(w);
    return structuredClone(w);
  }
  /** The controller's rollout: every pod of the workload replaced by one from its template. */
  private replacePods(w: WorkloadInfo & { replicas: number }) {
    if (w.kind === "cronjob") return;
    for (const [k, p] of this.pods) if (p.namespace === w.namespace && p.labels.app === w.name) this.pods.delete(k);
    for (let i = 0; i < w.replicas; i++) {
      const name = `${w.name}-${randomUUID().slice(0, 5)}`;
      const env = this.injected(w.namespace, w.serviceAccountName, w.templateLabels);
      this.pods.set(`${w.namespace}/${name}`, {
        namespace: w.namespace,
        name,
        uid: randomUUID(),
        phase: this.podPhase,
        serviceAccountName: w.serviceAccountName,
        labels: { ...w.templateLabels },
        annotations: { ...w.templateAnnotations },
        containers: [{ name: "main", init: false, env }],
        volumes: [],
      });
    }
  }
  async getWorkload(ns: string, kind: WorkloadKind, name: string) {
    const w = this.workloads.get(`${kind} ${ns}/${name}`);
    if (!w) return undefined;
    const { replicas: _r, ...info } = structuredClone(w);
    return info;
  }
  async patchWorkloadTemplate(ns: string, kind: WorkloadKind, name: string, patch: PodTemplatePatch) {
    this.writes.push(`patchWorkloadTemplate ${kind} ${ns}/${name} ${JSON.stringify(patch)}`);
    this.writeTargets.push(`/apis/${kind === "cronjob" ? "batch" : "apps"}/v1/namespaces/${ns}/${kind}s/${name}`);
    const w = this.workloads.get(`${kind} ${ns}/${name}`)!;
    Object.assign(w.templateLabels, patch.labels ?? {});
    Object.assign(w.templateAnnotations, patch.annotations ?? {});
    if (patch.serviceAccountName) w.serviceAccountName = patch.serviceAccountName;
    this.replacePods(w);
    return (await this.getWorkload(ns, kind, name))!;
  }
  async waitForRollout() {
    return { ...this.rollout };
  }
}

export class FakeUi implements Ui {
  questions: string[] = [];
  infos: string[] = [];
  warnings: string[] = [];
  spins: string[] = [];
  constructor(
    public interactive: boolean,
    private answers: boolean[] = [],
  ) {}
  info(line: string) {
    this.infos.push(line);
  }
  warn(line: string) {
    this.warnings.push(line);
  }
  async confirm(message: string, opts?: { default?: boolean; nonInteractiveAnswer?: boolean }) {
    this.questions.push(message);
    if (!this.interactive) return opts?.nonInteractiveAnswer ?? false;
    if (this.answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return this.answers.shift()!;
  }
  async spin<T>(text: string, work: (update: (t: string) => void) => Promise<T>) {
    this.spins.push(text);
    return work((t) => this.spins.push(t));
  }
}

export function inputs(over: Partial<InitInputs> = {}): InitInputs {
  return {
    subscription: SUB,
    resourceGroup: "rg-sandbox",
    cluster: "aks-sandbox",
    identity: "id-app",
    identityResourceGroup: "rg-sandbox",
    namespace: "app",
    serviceAccount: "sa-app",
    federatedCredential: "fc-app",
    roles: [],
    testPod: true,
    testPodName: "aks-wi-test",
    overwrite: false,
    allowBroadScope: false,
    ...over,
  };
}

export interface World {
  azure: FakeAzure;
  kube: FakeKube;
  ui: FakeUi;
  ctx: StepContext;
}

export function world(over: Partial<InitInputs> = {}, ui = new FakeUi(false)): World {
  const azure = new FakeAzure();
  const kube = new FakeKube();
  const state: InitState = { version: 1, cloud: "sandbox", inputs: {}, steps: {}, outputs: {}, updatedAt: new Date(0).toISOString() };
  const base = { inputs: inputs(over), state, azure, kube: async () => kube };
  const ctx: StepContext = { ...base, seen: observe(base.inputs, azure, base.kube) };
  return { azure, kube, ui, ctx };
}

/** Plans one step with fresh observations (as every run does). */
export async function planStep(step: Step, ctx: StepContext): Promise<StepPlan> {
  ctx.seen = observe(ctx.inputs, ctx.azure, ctx.kube);
  return step.plan(ctx);
}

/** Applies one step's plan as the runner does: records what it observed, then runs its operations
 *  in dependency order (dependencies on other steps' operations do not exist here). Warnings go to `warnings`. */
export async function applyPlan(ctx: StepContext, plan: StepPlan, warnings: string[] = []): Promise<void> {
  plan.record?.(ctx.state.outputs);
  const ids = new Set(plan.ops.map((o) => o.id));
  const ops = resolveDependencies(plan.ops).map((o) => ({
    ...o,
    after: o.after.filter((d) => ids.has(d)),
    afterAccepted: (o.afterAccepted ?? []).filter((d) => ids.has(d)),
  }));
  try {
    await runGraph(ops, { run: (o, accepted) => o.run(ctx, { accepted, progress: () => {}, warn: (l) => warnings.push(l) }) });
  } catch (e) {
    throw e instanceof GraphError ? e.first : e;
  }
}

/** Writes made so far by both fakes. */
export const allWrites = (w: World) => [...w.azure.writes, ...w.kube.writes];
