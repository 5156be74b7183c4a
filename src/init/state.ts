// The init state file (.aks-wi/<cluster>/state.json by default): what each step did and learned,
// so a re-run resumes or reports "no change". Written atomically (temp file + rename, so a kill
// mid-write leaves the old file), readable only by the user (file 0600, directory 0700), locked
// against a concurrent run, and checked to never hold a token or secret.
import { randomBytes } from "node:crypto";
import { link, readFile, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { UserError } from "../core/errors.js";
import { assertRealPath, fsError, makeDirs, removeIfEmpty, writeFileAtomic } from "../core/files.js";
import { pidAlive } from "../core/util.js";
import type { FederatedCredentialInfo, IdentityInfo, RoleAssignmentOut, RoleRequest } from "../core/ports.js";
import type { Change, StepName } from "./step.js";

/** The inputs as the state file keeps them (after flag → env → state → prompt → default). */
export interface SavedInputs {
  subscription: string;
  resourceGroup: string;
  cluster: string;
  identity: string;
  identityResourceGroup: string;
  /** The identity's subscription (absent: the cluster's); the identity, its credentials and its
   *  principal's role-assignment listing live there. */
  identitySubscription?: string;
  /** The region a new identity is created in (absent: the cluster's). */
  identityLocation?: string;
  /** Tags for a new identity, merged with aks-wi's own managed-by tag. */
  tags?: Record<string, string>;
  namespace: string;
  serviceAccount: string;
  federatedCredential: string;
  roles: RoleRequest[];
  testPod: boolean;
  testPodName: string;
  /** The test pod's image (absent in state files written before it was an input). */
  testPodImage?: string;
  /** Workloads wired to the service account, as KIND/NAME (absent: none, or a state file older than the input). */
  workloads?: string[];
}

/** What one run permits (--overwrite, --allow-broad-scope): given each time, never saved. */
export interface RunPermissions {
  overwrite: boolean;
  allowBroadScope: boolean;
  /** Delete the role assignments aks-wi made for this binding that the roles no longer name: set
   *  when the roles were given (a flag, the config file), never when they only defaulted to none. */
  prune?: boolean;
}

/** Fully resolved inputs of a run. */
export type InitInputs = SavedInputs & RunPermissions;

/** The inputs without the run's permissions: what the state file and the report keep. */
export function savedInputs(inputs: InitInputs): SavedInputs {
  const { overwrite: _o, allowBroadScope: _a, prune: _p, ...saved } = inputs;
  return saved;
}

/** What the steps learned or made; flows from one step to the next and into `verify`. Never a token or secret. */
export interface InitOutputs {
  clusterId?: string;
  clusterLocation?: string;
  /** The cluster's tenant (the subscription's). */
  tenantId?: string;
  oidcIssuerEnabled?: boolean;
  workloadIdentityEnabled?: boolean;
  /** Verbatim oidcIssuerProfile.issuerURL, trailing slash and all. */
  issuerUrl?: string;
  identity?: IdentityInfo;
  serviceAccount?: { namespace: string; name: string; uid?: string };
  federatedCredential?: FederatedCredentialInfo;
  roleAssignments?: RoleAssignmentOut[];
  testPod?: { namespace: string; name: string; uid?: string; phase?: string };
}

export type StepStatus = "pending" | "done" | "failed";

/** The state file (.aks-wi/<cluster>/state.json): written atomically after every step, mode 0600. */
export interface InitState {
  version: 1;
  /** Cloud profile name the state belongs to ("AzureCloud" | "sandbox"). */
  cloud: string;
  inputs: Partial<SavedInputs>;
  steps: Partial<Record<StepName, { status: StepStatus; at: string; change?: Change; message?: string }>>;
  outputs: InitOutputs;
  updatedAt: string;
}

export const STATE_DIR = ".aks-wi";

export function defaultStatePath(cluster: string, cwd: string = process.cwd()): string {
  return join(cwd, STATE_DIR, cluster, "state.json");
}

export interface ClusterKey {
  subscription: string;
  resourceGroup: string;
  cluster: string;
}

/** Whether a state file belongs to runs on this cloud and cluster (one that records no cluster yet does). */
export function belongsTo(state: InitState, cloud: string, t: ClusterKey): boolean {
  const i = state.inputs;
  if (state.cloud !== cloud) return false;
  if (!(i.subscription && i.resourceGroup && i.cluster)) return true;
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  return same(i.subscription, t.subscription) && same(i.resourceGroup, t.resourceGroup) && same(i.cluster, t.cluster);
}

/** The directory for a cluster whose plain `.aks-wi/<cluster>` holds another cloud's or subscription's
 *  files (two sandboxes, or two subscriptions with a cluster of one name): keyed by all of them. */
export function keyedStateDir(cwd: string, cloud: string, t: ClusterKey): string {
  return join(cwd, STATE_DIR, `${t.cluster}@${cloud}.${t.subscription}.${t.resourceGroup}`);
}

/**
 * A cluster's state file, `file(dir)` in `.aks-wi/<cluster>` unless the one there belongs to another
 * cloud or cluster of that name: then in its keyed directory, so two subscriptions or sandboxes
 * never collide and every run finds its own file the same way.
 */
export async function locateState(file: (dir: string) => string, cwd: string, cloud: string, t: ClusterKey): Promise<{ path: string; state?: InitState }> {
  const path = file(join(cwd, STATE_DIR, t.cluster));
  const state = await readState(path);
  if (!state || belongsTo(state, cloud, t)) return { path, state };
  const keyed = file(keyedStateDir(cwd, cloud, t));
  return { path: keyed, state: await readState(keyed) };
}

/** The newest init state file of this cloud in the working directory (what a bare `aks-wi verify` checks). */
export async function latestState(cwd: string, cloud: string): Promise<{ path: string; state: InitState } | undefined> {
  let dirs: string[];
  try {
    dirs = await readdir(join(cwd, STATE_DIR));
  } catch {
    return undefined;
  }
  let best: { path: string; state: InitState } | undefined;
  for (const d of dirs) {
    const path = join(cwd, STATE_DIR, d, "state.json");
    const state = await readState(path).catch(() => undefined);
    if (!state || state.cloud !== cloud) continue;
    if (!best || state.updatedAt > best.state.updatedAt) best = { path, state };
  }
  return best;
}

export function emptyState(cloud: string): InitState {
  return { version: 1, cloud, inputs: {}, steps: {}, outputs: {}, updatedAt: new Date().toISOString() };
}

type WorkloadNames = Partial<Pick<InitInputs, "subscription" | "resourceGroup" | "cluster" | "namespace" | "serviceAccount">>;

/**
 * The state file records one workload. Naming another cluster, namespace or service account while
 * it is loaded would silently reuse that workload's credential name, roles and test pod (and the
 * file would be rewritten to describe a setup it never recorded): a usage error instead, before
 * anything changes.
 */
export function assertSameWorkload(saved: Partial<InitInputs> | undefined, named: WorkloadNames): void {
  const differs = (k: "subscription" | "resourceGroup" | "cluster") => saved?.[k] && named[k] && saved[k]!.toLowerCase() !== named[k]!.toLowerCase();
  // A state file written by a run records all three; the cluster is the triple, not one part.
  const recordsCluster = !!(saved?.subscription && saved.resourceGroup && saved.cluster);
  if (recordsCluster && (["subscription", "resourceGroup", "cluster"] as const).some(differs)) {
    // Named as fully as the difference needs: same name and group, other subscription, says so.
    const side = (x: WorkloadNames) =>
      `cluster ${x.cluster ?? "?"} in resource group ${x.resourceGroup ?? "?"}${differs("subscription") ? ` of subscription ${x.subscription ?? "?"}` : ""}`;
    throw new UserError(
      `the state file holds the setup on ${side(saved!)}, not ${side(named)}`,
      "pass another --state FILE for this cluster, or leave --state out: each cluster then gets its own default file under .aks-wi/; nothing was changed",
      "usage",
    );
  }
  if (!saved?.namespace || !saved.serviceAccount || !named.namespace || !named.serviceAccount) return;
  if (saved.namespace === named.namespace && saved.serviceAccount === named.serviceAccount) return;
  throw new UserError(
    `the state file holds the setup of service account ${saved.namespace}/${saved.serviceAccount}, not ${named.namespace}/${named.serviceAccount}`,
    `pass --state FILE for another workload on this cluster, e.g. --state .aks-wi/${named.cluster ?? "CLUSTER"}/${named.namespace}.${named.serviceAccount}.json; nothing was changed`,
    "usage",
  );
}

/** Reads the state file of a run on `cloud` (without locking); one written for another cloud is a usage error. */
export async function readStateFor(path: string, cloud: string): Promise<InitState | undefined> {
  const state = await readState(path);
  if (state && state.cloud !== cloud)
    throw new UserError(`state file ${path} belongs to the ${state.cloud} cloud, not ${cloud}`, "pass another --state (or drop --sandbox / add it)");
  return state;
}

/** Reads the state file without locking; undefined when there is none yet. */
export async function readState(path: string): Promise<InitState | undefined> {
  assertRealPath(path, "state file", "pass a --state in a normal directory");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fsError(e, path, "state file", "pass another --state");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UserError(`state file ${path} is not valid JSON`, "fix or delete it (aks-wi re-reads everything from Azure and the cluster)");
  }
  const s = parsed as Partial<InitState>;
  if (s === null || typeof s !== "object" || s.version !== 1 || typeof s.cloud !== "string") {
    throw new UserError(`state file ${path} is not an aks-wi state file (version 1)`, "pass another --state, or delete it");
  }
  const bad = shapeProblem(s);
  if (bad) throw new UserError(`state file ${path}: ${bad}`, "fix that field or delete the file (aks-wi re-reads everything from Azure and the cluster)");
  return { version: 1, cloud: s.cloud, inputs: s.inputs ?? {}, steps: s.steps ?? {}, outputs: s.outputs ?? {}, updatedAt: s.updatedAt ?? "" };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** The first field of a hand-edited or damaged state file whose type is wrong, named by its path. */
function shapeProblem(s: Partial<InitState>): string | undefined {
  for (const k of ["inputs", "steps", "outputs"] as const) {
    if (s[k] !== undefined && !isObject(s[k])) return `${k} must be an object`;
  }
  const inputs = (s.inputs ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(inputs)) {
    if (k === "roles") {
      if (!Array.isArray(v) || !v.every((r) => isObject(r) && typeof r.role === "string" && typeof r.scope === "string")) {
        return "inputs.roles must be a list of {role, scope} strings";
      }
    } else if (k === "tags") {
      if (!isObject(v) || !Object.values(v).every((t) => typeof t === "string")) return "inputs.tags must be a mapping of tag names to strings";
    } else if (k === "workloads") {
      if (!Array.isArray(v) || !v.every((w) => typeof w === "string")) return "inputs.workloads must be a list of KIND/NAME strings";
    } else if (["testPod", "overwrite", "allowBroadScope"].includes(k)) {
      if (typeof v !== "boolean") return `inputs.${k} must be true or false`;
    } else if (typeof v !== "string") {
      return `inputs.${k} must be a string`;
    }
  }
  return undefined;
}

// Keys whose string values would be credentials; the state must never carry one.
const SECRET_KEY = /(token|secret|password|assertion|credentialValue|privateKey|kubeconfig)$/i;
// A JWT (header.payload.signature, base64url, header starting with `{"`).
const JWT = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/;

/** Throws when anything in the state looks like a token or secret (a bug in the caller, never user input). */
export function assertNoSecrets(value: unknown, path = "state"): void {
  if (typeof value === "string") {
    if (JWT.test(value)) throw new Error(`refusing to save a token in the state file (${path})`);
    return;
  }
  if (Array.isArray(value)) return value.forEach((v, i) => assertNoSecrets(v, `${path}[${i}]`));
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k) && typeof v === "string" && v !== "") throw new Error(`refusing to save a secret in the state file (${path}.${k})`);
      assertNoSecrets(v, `${path}.${k}`);
    }
  }
}

/** Atomic, private write: a 0600 temp file in the same directory, flushed, then renamed over the old one. */
export async function writeStateAtomic(path: string, state: InitState): Promise<void> {
  assertNoSecrets(state);
  state.updatedAt = new Date().toISOString();
  await writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`, "state file", "pass another --state");
}

export interface StateLock {
  release(): Promise<void>;
}

/** Who holds a lock: DIR/state.json.lock holds this, written before the lock exists (see lockState). */
interface Owner {
  pid: number;
  host: string;
  /** When the lock was taken. */
  startedAt: string;
  /** When the process started (boot id and clock ticks since boot): a reused pid has another. */
  processStart?: string;
  /** The holder's command line, for the person reading the message. */
  command?: string;
}

export const lockFile = (path: string) => `${path}.lock`;

/** The start of process `pid` as this boot counts it; undefined where /proc cannot say. */
export async function processStart(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the command (which may hold spaces and parentheses) start at its last ')'.
    const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
    const boot = (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
    return ticks ? `${boot}:${ticks}` : undefined;
  } catch {
    return undefined;
  }
}

async function readOwner(path: string): Promise<{ owner?: Owner; text?: string; problem?: string }> {
  let text: string;
  try {
    text = await readFile(lockFile(path), "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return {};
    return { problem: code === "EISDIR" ? "it is a directory, left by an older aks-wi" : `it cannot be read (${code})` };
  }
  try {
    const o = JSON.parse(text) as Owner;
    if (Number.isInteger(o.pid) && typeof o.host === "string") return { owner: o, text };
  } catch {
    /* judged below */
  }
  return { text, problem: "it does not say which process holds it" };
}

/** Why the lock's holder is certainly gone (its pid runs nothing, or a process started later); undefined: it may run. */
async function holderGone(o: Owner): Promise<string | undefined> {
  if (o.host !== hostname() || o.pid === process.pid) return undefined;
  if (!pidAlive(o.pid)) return `pid ${o.pid} is no longer running`;
  const now = await processStart(o.pid);
  if (o.processStart && now && now !== o.processStart) return `pid ${o.pid} now runs another process`;
  return undefined;
}

/**
 * Locks the state file against another `aks-wi init` on it. The lock is one file, DIR/state.json.lock,
 * made by hard-linking a complete owner file into place: it exists with its owner or not at all. A lock
 * whose holder is gone (its pid exited, or now belongs to a later process) is taken over with a note;
 * one that cannot be judged names the file to delete.
 */
export async function lockState(path: string): Promise<StateLock> {
  const made = await makeDirs(dirname(path), "the state file's directory");
  const lock = lockFile(path);
  const me: Owner = {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    processStart: await processStart(process.pid),
    command: process.argv.slice(1).join(" ").slice(0, 200),
  };
  const mine = JSON.stringify(me);
  const tmp = `${lock}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, mine, { mode: 0o600, flag: "wx" });
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, lock);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      }
      const held = await readOwner(path);
      if (!held.owner && !held.problem && attempt < 3) continue; // released meanwhile
      if (!held.owner) throw unjudgedLock(path, held.problem ?? "it keeps changing");
      const gone = await holderGone(held.owner);
      if (!gone || attempt >= 3 || !(await takeOver(lock, held.text!))) throw lockedError(path, held.owner);
      process.stderr.write(`note: took over the lock on ${path} from a run that ended without releasing it (${gone})\n`);
    }
  } catch (e) {
    await unlink(tmp).catch(() => {});
    await removeIfEmpty(made);
    if (e instanceof UserError) throw e;
    throw fsError(e, lock, "state lock", "pass another --state");
  }
  await unlink(tmp).catch(() => {});
  return {
    async release() {
      // Only our own lock: one taken over from us (after a pause longer than a run) is not ours to drop.
      if ((await readFile(lock, "utf8").catch(() => "")) === mine) await unlink(lock).catch(() => {});
      // A run that wrote nothing leaves no directory behind.
      await removeIfEmpty(made);
    },
  };
}

/** Moves a stale lock aside; true when what was moved is the one judged (not a newer run's). */
async function takeOver(lock: string, judged: string): Promise<boolean> {
  const aside = `${lock}.stale.${process.pid}.${randomBytes(4).toString("hex")}`;
  try {
    await rename(lock, aside);
  } catch {
    return false; // another run took it over first
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== judged) await link(aside, lock).catch(() => {}); // put the newer run's lock back
  await unlink(aside).catch(() => {});
  return moved === judged;
}

function unjudgedLock(path: string, problem: string): UserError {
  return new UserError(
    `the state file ${path} is locked, and whether its holder still runs cannot be told: ${problem}`,
    `if no aks-wi init is running on it, delete ${lockFile(path)} and re-run`,
    "failed",
  );
}

function lockedError(path: string, owner: Owner): UserError {
  const where = owner.host !== hostname() ? ` on ${owner.host}` : "";
  return new UserError(
    `another aks-wi init is running on ${path} (pid ${owner.pid}${where}, since ${owner.startedAt})`,
    `wait for it to finish, or pass another --state; if none is running${where}, delete ${lockFile(path)}`,
    "failed",
  );
}
