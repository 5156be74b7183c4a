// The init state file (.aks-wi/<cluster>/state.json by default): what each step did and learned,
// so a re-run resumes or reports "no change". Written atomically (temp file + rename, so a kill
// mid-write leaves the old file), readable only by the user (file 0600, directory 0700), locked
// against a concurrent run, and checked to never hold a token or secret.
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { chmod, mkdir, open, readFile, rename, rm, rmdir, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { UserError } from "../core/errors.js";
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
  namespace: string;
  serviceAccount: string;
  federatedCredential: string;
  roles: RoleRequest[];
  testPod: boolean;
  testPodName: string;
  /** The test pod's image (absent in state files written before it was an input). */
  testPodImage?: string;
}

/** What one run permits (--overwrite, --allow-broad-scope): given each time, never saved. */
export interface RunPermissions {
  overwrite: boolean;
  allowBroadScope: boolean;
}

/** Fully resolved inputs of a run. */
export type InitInputs = SavedInputs & RunPermissions;

/** The inputs without the run's permissions: what the state file and the report keep. */
export function savedInputs(inputs: InitInputs): SavedInputs {
  const { overwrite: _o, allowBroadScope: _a, ...saved } = inputs;
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
  const differs = (k: "subscription" | "resourceGroup" | "cluster") =>
    saved?.[k] && named[k] && saved[k]!.toLowerCase() !== named[k]!.toLowerCase();
  // A state file written by a run records all three; the cluster is the triple, not one part.
  const recordsCluster = !!(saved?.subscription && saved.resourceGroup && saved.cluster);
  if (recordsCluster && (["subscription", "resourceGroup", "cluster"] as const).some(differs)) {
    throw new UserError(
      `the state file holds the setup on cluster ${saved!.cluster} (resource group ${saved!.resourceGroup}, subscription ${saved!.subscription}), not ${named.cluster} in ${named.resourceGroup}`,
      `pass --state FILE for this cluster, e.g. --state .aks-wi/${named.cluster ?? "CLUSTER"}/state.json (the default); nothing was changed`,
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
  if (state && state.cloud !== cloud) throw new UserError(`state file ${path} belongs to the ${state.cloud} cloud, not ${cloud}`, "pass another --state (or drop --sandbox / add it)");
  return state;
}

/** Reads the state file without locking; undefined when there is none yet. */
export async function readState(path: string): Promise<InitState | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserError(`cannot read state file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, "check --state");
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

async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Atomic, private write: a 0600 temp file in the same directory, flushed, then renamed over the old one. */
export async function writeStateAtomic(path: string, state: InitState): Promise<void> {
  assertNoSecrets(state);
  state.updatedAt = new Date().toISOString();
  await ensurePrivateDir(dirname(path));
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const fh = await open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  try {
    await fh.writeFile(`${JSON.stringify(state, null, 2)}\n`, "utf8");
    await fh.sync();
  } catch (e) {
    await fh.close();
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await fh.close();
  // The umask cannot widen 0600, but a pre-existing temp name could not exist either (O_EXCL); chmod
  // anyway so the mode is right even on filesystems that ignore the open() mode.
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export interface StateLock {
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  startedAt: string;
}

const ownerFile = (path: string) => `${path}.owner`;
const lockDir = (path: string) => `${path}.lock`;

async function readOwner(path: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await readFile(ownerFile(path), "utf8")) as Owner;
  } catch {
    return undefined;
  }
}

/**
 * Locks the state file against another `aks-wi init` on it. A lock left by a run that was killed
 * (its pid is gone on this host) is taken over at once instead of waiting for it to go stale.
 */
export async function lockState(path: string): Promise<StateLock> {
  const { default: lockfile } = await import("proper-lockfile"); // only runs that write need it
  await ensurePrivateDir(dirname(path));
  const opts = {
    realpath: false,
    lockfilePath: lockDir(path),
    stale: 30_000,
    retries: 0,
    // A lock we could not refresh (machine asleep, disk gone) is reported, not thrown from a timer.
    onCompromised: (err: Error) => process.stderr.write(`warning: state lock on ${path} compromised: ${err.message}\n`),
  };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, opts);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
    const owner = await readOwner(path);
    if (owner && owner.host === hostname() && owner.pid !== process.pid && !pidAlive(owner.pid)) {
      await rmdir(lockDir(path)).catch(() => {});
      release = await lockfile.lock(path, opts).catch((e2: NodeJS.ErrnoException) => {
        throw e2.code === "ELOCKED" ? lockedError(path, owner) : e2;
      });
    } else {
      throw lockedError(path, owner);
    }
  }
  const me: Owner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  await writeOwner(path, me);
  return {
    async release() {
      await rm(ownerFile(path), { force: true });
      await release();
    },
  };
}

async function writeOwner(path: string, owner: Owner): Promise<void> {
  const tmp = `${ownerFile(path)}.${process.pid}.tmp`;
  const fh = await open(tmp, "w", 0o600);
  await fh.writeFile(JSON.stringify(owner));
  await fh.close();
  await rename(tmp, ownerFile(path));
}

function lockedError(path: string, owner: Owner | undefined): UserError {
  const who = owner ? `pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ""}, since ${owner.startedAt}` : "pid unknown";
  return new UserError(
    `another aks-wi init is running on ${path} (${who})`,
    "wait for it to finish, or pass another --state",
    "failed",
  );
}
