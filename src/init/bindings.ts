// Many bindings in one plan (`aks-wi apply -f aks-wi.yaml`): every binding is planned by the same
// steps as `init`, over reads shared by all of them, and their operations are merged into one
// graph before anything is shown: the cluster is updated once, an identity shared by several
// bindings is created once, a namespace they share is made once, a role assignment two bindings
// ask of one identity is made once, and the federated credentials of one identity are written one
// after another (Azure refuses concurrent writes to one identity's credentials:
// ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity). Operation ids carry their
// binding ("payments/api:identity"); an operation another binding shares runs once and hands what
// it learned (the issuer, the new identity's IDs) to every binding that shares it.
import { UserError } from "../core/errors.js";
import { observe, type SharedReads } from "./observe.js";
import { resolveDependencies, toStepError } from "./runner.js";
import type { Operation, Step, StepContext, StepName, StepPlan } from "./step.js";
import { identityId } from "./steps/shared.js";

/** One binding of a plan over many: its own inputs and state, saved by `save`. */
export interface Binding {
  /** "namespace/serviceAccount": unique in a plan, the prefix of its operation ids. */
  key: string;
  ctx: Omit<StepContext, "seen"> & { seen?: StepContext["seen"] };
  /** Persists this binding's ctx.state (atomically); not called by a dry run. */
  save(): Promise<void>;
}

export interface BindingPlan {
  binding: Binding;
  plans: StepPlan[];
}

/** A merged operation: runs in its owner's context for every member binding. */
export interface MergedOperation extends Operation {
  /** The binding whose plan the operation came from (index into the bindings). */
  owner: number;
  /** Every binding (and its step) this operation does the work of: the owner first. */
  members: { binding: number; step: StepName }[];
}

export interface MergedPlan {
  bindings: BindingPlan[];
  ops: MergedOperation[];
  /** Prunes left out because another binding on the same identity still asks for the role. */
  kept: { binding: number; step: StepName; summary: string; by: string }[];
}

/** Steps that concern the cluster, not a binding: planned once, shown once. */
export const CLUSTER_STEPS = new Set<StepName>(["cluster", "issuer"]);

/** Plans every binding (side by side, reads shared); the first failure, in binding order, names its binding. */
export async function planBindings(steps: readonly Step[], bindings: Binding[], shared: SharedReads = new Map()): Promise<BindingPlan[]> {
  const settled = await Promise.all(
    bindings.map(async (b) => {
      const ctx = b.ctx as StepContext;
      ctx.seen = observe(ctx.inputs, ctx.azure, ctx.kube, shared);
      return Promise.allSettled(steps.map((s) => s.plan(ctx)));
    }),
  );
  return settled.map((results, i) => {
    results.forEach((r, j) => {
      if (r.status === "rejected") throw inBinding(bindings[i]!.key, toStepError(steps[j]!.name, r.reason, steps[j]!.title));
    });
    return { binding: bindings[i]!, plans: results.map((r) => (r as PromiseFulfilledResult<StepPlan>).value) };
  });
}

/** The same error, its message starting with the binding it belongs to. */
export function inBinding(key: string, e: Error): Error {
  if (!(e instanceof UserError)) return e;
  const err = new UserError(`${key}: ${e.message}`, e.suggestion, e.kind);
  (err as { cause?: unknown }).cause = e;
  return err;
}

const lower = (s: string) => s.toLowerCase();
const guidOf = (id: string) => lower(id.split("/").filter(Boolean).pop() ?? id);
const ROLE_ASSIGNMENTS = "/providers/microsoft.authorization/roleassignments/";

/** What makes two bindings' operations the same work; undefined: the operation is the binding's own. */
function shareKey(o: Operation, ctx: StepContext): string | undefined {
  if (CLUSTER_STEPS.has(o.step)) return `${o.step}|${o.id}`;
  if (o.step === "identity") return `identity|${lower(o.target)}`;
  if (o.id === "namespace") return `namespace|${lower(o.target)}`;
  if (o.step === "roleAssignment") {
    const t = lower(o.target);
    const scope = t.includes(ROLE_ASSIGNMENTS) ? t.slice(0, t.indexOf(ROLE_ASSIGNMENTS)) : t;
    const def = (o.body as { properties?: { roleDefinitionId?: string } } | undefined)?.properties?.roleDefinitionId ?? "";
    return `${o.action}|role|${lower(identityId(ctx.inputs))}|${scope}|${guidOf(def)}|${o.action === "delete" ? t : ""}`;
  }
  return undefined;
}

/** Another binding on the same identity that still asks for the role a prune would remove. */
async function wantedElsewhere(o: Operation, self: number, plans: BindingPlan[]): Promise<string | undefined> {
  if (o.step !== "roleAssignment" || o.action !== "delete") return undefined;
  const body = (o.body as { properties: { roleDefinitionId: string; scope: string } }).properties;
  const mine = lower(identityId(plans[self]!.binding.ctx.inputs));
  for (const [i, bp] of plans.entries()) {
    if (i === self || lower(identityId(bp.binding.ctx.inputs)) !== mine) continue;
    const ctx = bp.binding.ctx as StepContext;
    for (const r of ctx.inputs.roles) {
      if (lower(r.scope) !== lower(body.scope)) continue;
      const def = await ctx.seen.role(r.scope, r.role);
      if (def && guidOf(def.id) === guidOf(body.roleDefinitionId)) return bp.binding.key;
    }
  }
  return undefined;
}

const credentialIdentity = (o: Operation) => lower(o.target.split("/federatedIdentityCredentials/")[0] ?? o.target);

/** One graph from every binding's operations: shared work once, ids prefixed by binding. */
export async function mergePlans(plans: BindingPlan[]): Promise<MergedPlan> {
  const kept = new Map<string, MergedOperation>();
  /** Prefixed id of a dropped operation → the id of the one that does its work. */
  const alias = new Map<string, string>();
  const ops: MergedOperation[] = [];
  const keptFor: MergedPlan["kept"] = [];
  for (const [i, bp] of plans.entries()) {
    const ctx = bp.binding.ctx as StepContext;
    const prefix = (id: string) => `${bp.binding.key}:${id}`;
    for (const o of resolveDependencies(bp.plans.flatMap((p) => p.ops))) {
      const by = await wantedElsewhere(o, i, plans);
      if (by) {
        keptFor.push({ binding: i, step: o.step, summary: o.summary, by });
        continue;
      }
      const key = shareKey(o, ctx);
      const first = key === undefined ? undefined : kept.get(key);
      if (first) {
        first.members.push({ binding: i, step: o.step });
        alias.set(prefix(o.id), first.id);
        continue;
      }
      const m: MergedOperation = {
        ...o,
        id: prefix(o.id),
        after: o.after.map(prefix),
        afterAccepted: (o.afterAccepted ?? []).map(prefix),
        owner: i,
        members: [{ binding: i, step: o.step }],
      };
      if (key !== undefined) kept.set(key, m);
      ops.push(m);
    }
  }
  // Dropped operations' dependents wait for the operation that does their work instead; and
  // skipped prunes are waited for by nothing.
  const ids = new Set(ops.map((o) => o.id));
  const resolve = (deps: readonly string[] | undefined, self: string) => [
    ...new Set((deps ?? []).map((d) => alias.get(d) ?? d).filter((d) => d !== self && ids.has(d))),
  ];
  const lastCredential = new Map<string, string>();
  for (const o of ops) {
    o.after = resolve(o.after, o.id);
    o.afterAccepted = resolve(o.afterAccepted, o.id);
    if (o.step === "federatedCredential") {
      const idKey = credentialIdentity(o);
      const prev = lastCredential.get(idKey);
      if (prev) o.after = [...o.after, prev];
      lastCredential.set(idKey, o.id);
    }
  }
  return { bindings: plans, ops, kept: keptFor };
}

/** Applies what an operation changed in its outputs (`before` → `after`) to `into`: fields it set
 *  are set, list entries it added are added and those it removed are removed. */
export function handOver(before: Record<string, unknown>, after: Record<string, unknown>, into: Record<string, unknown>): void {
  const json = (x: unknown) => JSON.stringify(x);
  for (const [k, v] of Object.entries(after)) {
    const was = before[k];
    if (Array.isArray(v)) {
      const had = new Set((Array.isArray(was) ? was : []).map(json));
      const has = new Set(v.map(json));
      const added = v.filter((x) => !had.has(json(x)));
      const removed = new Set((Array.isArray(was) ? was : []).filter((x) => !has.has(json(x))).map(json));
      if (!added.length && !removed.size) continue;
      const current = (Array.isArray(into[k]) ? (into[k] as unknown[]) : []).filter((x) => !removed.has(json(x)));
      into[k] = [...current, ...structuredClone(added).filter((x) => !current.some((c) => json(c) === json(x)))];
    } else if (json(v) !== json(was)) {
      into[k] = structuredClone(v);
    }
  }
}
