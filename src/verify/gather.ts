// Gathers the facts the checks judge: ARM (cluster, identity, credentials, roles), Kubernetes
// (webhook, service account, pod), inside the pod (env, token claims), Entra (the exchange) and
// ARM again with the workload's own token (permissions). Nothing here decides PASS or FAIL; a
// failed read is recorded as a fact and the checks name it. The federated token and the ARM token
// live only in local variables of this module and src/azure; facts hold claims.
import { decodeJwt } from "jose";
import { UserError } from "../core/errors.js";
import type { IdentityInfo, RoleAssignmentInfo } from "../core/ports.js";
import { ISSUER_FETCH_CODES, transientOf } from "../core/retry.js";
import { uncovered } from "./check-access.js";
import { PROPAGATION_CODES } from "./check-exchange.js";
import type { ArmAsWorkload, ExchangeAttempt, VerifyAzure, VerifyKube } from "./ports.js";
import { sleep as defaultSleep } from "../core/util.js";
import { CLIENT_ID_ANNOTATION, TOKEN_AUDIENCE } from "../core/workload-identity.js";
import type { AccessFacts, ContainerEnvFacts, Facts, RoleAccessFacts, TokenClaims, TokenFacts, TransientRead, VerifyTarget } from "./types.js";
import { expectedSubject, ficMatches, sameGuid } from "./util.js";

export interface PropagationWait {
  /** Total time to keep retrying AADSTS70021-like answers for a freshly written credential. */
  budgetMs: number;
  initialDelayMs: number;
  /** How recent a credential write must be for a mismatch answer to mean "still propagating". */
  recentMs: number;
  /** Total time to keep re-reading the workload's permissions for a recent role assignment. */
  roleBudgetMs?: number;
  /** How recent a role assignment must be for missing permissions to mean "still propagating". */
  roleRecentMs?: number;
}

/** Role assignments "can take up to 10 minutes to propagate" (AKS workload identity docs), so the
 *  window is 10 min; the wait is shorter, then verify says WARN role-propagating, not FAIL. */
export const DEFAULT_PROPAGATION: PropagationWait = {
  budgetMs: 60_000,
  initialDelayMs: 1_000,
  recentMs: 5 * 60_000,
  roleBudgetMs: 120_000,
  roleRecentMs: 10 * 60_000,
};

export interface GatherDeps {
  azure: VerifyAzure;
  kube(): Promise<VerifyKube>;
  propagation?: PropagationWait;
  /** Progress lines for the human (e.g. the propagation wait). */
  progress?(line: string): void;
  now?(): number;
  sleep?(ms: number): Promise<void>;
}

const msg = (e: unknown) => ((e as Error)?.message ?? String(e)).split("\n")[0]!;
/** A 403: the operator may not read this (UserError kind "denied", as src/azure maps it). */
const denied = (e: unknown) => (e as { kind?: string })?.kind === "denied";
const lower = (s: string) => s.toLowerCase();
/** True when an assignment at `at` applies at `scope` (the scope itself or a parent of it). */
const appliesAt = (at: string, scope: string) => lower(scope) === lower(at) || lower(scope).startsWith(`${lower(at).replace(/\/+$/, "")}/`);

/** Records that a read failed only transiently (through every retry): its check says UNKNOWN. */
function markRead(facts: Facts, read: TransientRead, e?: unknown): void {
  if (e !== undefined && !transientOf(e)) return;
  const list = (facts.transient ??= []);
  if (!list.includes(read)) list.push(read);
}

/** AZURE_* lines of `env` output. */
export function parseEnv(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split("\n")) {
    const i = line.indexOf("=");
    if (i > 0 && line.startsWith("AZURE_")) out[line.slice(0, i)] = line.slice(i + 1).replace(/\r$/, "");
  }
  return out;
}

export function tokenClaims(jwt: string): TokenClaims {
  const c = decodeJwt(jwt.trim());
  return { iss: c.iss, sub: c.sub, aud: c.aud === undefined ? undefined : Array.isArray(c.aud) ? c.aud : [c.aud], exp: c.exp, iat: c.iat };
}

async function findIdentity(
  azure: VerifyAzure,
  t: VerifyTarget,
  annotation: string | undefined,
): Promise<{ identity?: IdentityInfo; source?: string; error?: string; transient?: boolean; forbidden?: string }> {
  try {
    if (t.identity) {
      const identity = await azure.ops.getIdentity(t.identity.subscription, t.identity.resourceGroup, t.identity.name);
      return identity
        ? { identity, source: "state" }
        : { error: `managed identity ${t.identity.name} was not found in resource group ${t.identity.resourceGroup}` };
    }
    if (!annotation) return { error: "no identity given and the service account names none (no client-id annotation)" };
    const identity = (await azure.ops.listIdentities(t.subscription)).find((i) => sameGuid(i.clientId, annotation));
    return identity ? { identity, source: "annotation" } : { error: `no managed identity with client ID ${annotation} in subscription ${t.subscription}` };
  } catch (e) {
    if (denied(e)) {
      const where = t.identity
        ? `identity ${t.identity.name} in resource group ${t.identity.resourceGroup}`
        : `the identities of subscription ${t.subscription}`;
      return { error: msg(e), forbidden: `you may not read ${where} (403): ${msg(e)}` };
    }
    return { error: msg(e), transient: !!transientOf(e) };
  }
}

/** The principal's role assignments, read only where verify needs them: at each role's scope when
 *  the roles are known, else at the subscription, then the identity's resource group (an operator
 *  whose rights stop at a resource group still gets an answer). Scopes it may not read are named. */
async function assignmentsOf(azure: VerifyAzure, t: VerifyTarget, principalId: string, identityRg: string | undefined) {
  const byId = new Map<string, RoleAssignmentInfo>();
  const forbidden = new Map<string, string>();
  const list = async (scope: string) => {
    try {
      for (const a of await azure.ops.listRoleAssignments(scope, principalId)) byId.set(lower(a.id), a);
      return true;
    } catch (e) {
      if (!denied(e)) throw e;
      forbidden.set(scope, msg(e));
      return false;
    }
  };
  if (t.roles) await Promise.all([...new Set(t.roles.map((r) => r.scope))].map(list));
  else if (!(await list(`/subscriptions/${t.subscription}`)) && identityRg) await list(identityRg);
  return { assignments: [...byId.values()], forbidden };
}

/** Role definitions and where the principal holds them (operator credential; no workload token needed). */
async function planAccess(azure: VerifyAzure, t: VerifyTarget, identity: IdentityInfo): Promise<{ roles: RoleAccessFacts[]; forbidden?: string }> {
  const rgScope = identity.id.split("/").slice(0, 5).join("/");
  const { assignments, forbidden } = await assignmentsOf(azure, t, identity.principalId, rgScope.includes("/resourceGroups/") ? rgScope : undefined);
  const guid = (id: string) => id.split("/").pop()!.toLowerCase();
  const scopesOf = (defId: string) => assignments.filter((a) => guid(a.roleDefinitionId) === guid(defId)).map((a) => a.scope);
  if (!t.roles && !assignments.length && forbidden.size) {
    return {
      roles: [],
      forbidden: `you may not list the identity's role assignments at ${[...forbidden.keys()].join(" or ")} (403): ${[...forbidden.values()][0]}`,
    };
  }
  const wanted = t.roles ?? assignments.map((a) => ({ role: a.roleDefinitionId, scope: a.scope }));
  const roles = await Promise.all(
    wanted.map(async (w): Promise<RoleAccessFacts> => {
      const denial = forbidden.get(w.scope);
      if (denial) return { role: w.role, scope: w.scope, forbidden: `you may not list role assignments at this scope (403): ${denial}` };
      try {
        const def = w.role.includes("/") ? { id: w.role } : await azure.ops.resolveRole(w.scope, w.role);
        if (!def) return { role: w.role, scope: w.scope, error: `role "${w.role}" does not exist at this scope` };
        const full = await azure.roleDefinition(def.id);
        return {
          role: full?.roleName || w.role,
          roleDefinitionId: def.id,
          scope: w.scope,
          assignedAt: scopesOf(def.id),
          roleActions: full?.actions,
          roleDataActions: full?.dataActions,
        };
      } catch (e) {
        if (denied(e)) return { role: w.role, scope: w.scope, forbidden: `you may not read this role at this scope (403): ${msg(e)}` };
        return { role: w.role, scope: w.scope, error: msg(e), ...(transientOf(e) ? { transient: true } : {}) };
      }
    }),
  );
  return { roles };
}

export async function gather(t: VerifyTarget, deps: GatherDeps): Promise<Facts> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const { azure } = deps;
  const facts: Facts = { target: t, now: new Date(now()).toISOString() };

  const clusterP = azure.ops.getCluster(t.subscription, t.resourceGroup, t.cluster).then(
    (c) => {
      if (c) facts.cluster = c;
      else facts.clusterError = `cluster ${t.cluster} was not found in resource group ${t.resourceGroup}`;
    },
    (e) => {
      facts.clusterError = msg(e);
      markRead(facts, "cluster", e);
    },
  );
  let kube: VerifyKube | undefined;
  try {
    kube = await deps.kube();
  } catch (e) {
    // A bad --kubeconfig/--context or cluster name is the caller's input, not a finding: exit 2.
    // A credential ARM would not hand out through its retries (429, 5xx) is neither.
    if (e instanceof UserError && !transientOf(e)) throw e;
    facts.serviceAccountError = `the cluster could not be reached: ${msg(e)}`;
    facts.webhook = { deploymentFound: false, readyEndpoints: 0, error: msg(e) };
    if (t.pod || t.deployment) facts.podError = `the cluster could not be reached: ${msg(e)}`;
    if (transientOf(e)) {
      facts.webhook.transient = true;
      for (const read of ["webhook", "serviceAccount", ...(facts.podError ? ["pod" as const] : [])] as const) markRead(facts, read);
    }
  }

  // Kubernetes reads that do not depend on each other, in parallel with the cluster read.
  const k = kube;
  await Promise.all([
    clusterP,
    k &&
      k.webhook().then((w) => {
        facts.webhook = w;
        if (w.transient) markRead(facts, "webhook");
      }),
    k &&
      k.ops.getServiceAccount(t.namespace, t.serviceAccount).then(
        (sa) => {
          if (sa) facts.serviceAccount = sa;
        },
        (e) => {
          facts.serviceAccountError = msg(e);
          markRead(facts, "serviceAccount", e);
        },
      ),
    k && findPod(k, t, facts),
  ]);
  const annotation = facts.serviceAccount?.annotations[CLIENT_ID_ANNOTATION];
  const side: Promise<unknown>[] = [];
  if (k && facts.serviceAccount && annotation !== undefined) {
    side.push(
      k.annotationTime(t.namespace, t.serviceAccount, CLIENT_ID_ANNOTATION).then(
        (at) => {
          if (at) facts.serviceAccountAnnotatedAt = at;
        },
        () => {},
      ),
    );
  } else if (k && facts.serviceAccount) {
    side.push(
      k.objectsAnnotated(t.namespace, CLIENT_ID_ANNOTATION).then(
        (o) => {
          facts.annotatedElsewhere = o;
        },
        () => {},
      ),
    );
  }

  const found = await findIdentity(azure, t, annotation);
  if (found.identity) {
    facts.identity = found.identity;
    facts.identitySource = found.source;
  } else {
    facts.identityError = found.error;
    if (found.forbidden) facts.identityForbidden = found.forbidden;
    if (found.transient) markRead(facts, "identity");
  }
  const id = facts.identity;
  if (id) {
    side.push(
      azure.ops.listFederatedCredentials(id.id.split("/")[2] ?? t.subscription, id.resourceGroup, id.name).then(
        (f) => {
          facts.federatedCredentials = f;
        },
        (e) => {
          facts.federatedCredentialsError = msg(e);
          markRead(facts, "federatedCredentials", e);
        },
      ),
    );
  }
  const accessPlan = id ? planAccess(azure, t, id).catch((e) => ({ error: msg(e), transient: !!transientOf(e) })) : undefined;
  accessPlan?.catch(() => {});
  let assertion: string | undefined;
  if (k && facts.pod?.phase === "Running") assertion = await readInsidePod(k, facts);
  await Promise.all(side);

  // Exchange and access: only with a token from the pod and a known identity.
  if (!assertion) {
    facts.exchange = {
      ok: false,
      attempts: 0,
      waitedMs: 0,
      skipped: facts.pod ? "no federated token was read from the pod" : "no pod: the exchange needs the pod's token",
    };
    facts.access = { roles: [], skipped: "no ARM token from the exchange" };
    return facts;
  }
  const env = facts.containerEnv?.find((c) => c.env?.AZURE_FEDERATED_TOKEN_FILE)?.env ?? {};
  const clientId = env.AZURE_CLIENT_ID || id?.clientId;
  const tenantId = env.AZURE_TENANT_ID || id?.tenantId;
  if (!clientId || !tenantId) {
    facts.exchange = { ok: false, attempts: 0, waitedMs: 0, skipped: "neither the pod nor the identity gives a client ID and tenant" };
    facts.access = { roles: [], skipped: "no ARM token from the exchange" };
    return facts;
  }
  await exchangeAndProbe(deps, facts, { clientId, tenantId, assertion }, accessPlan, sleep, now);
  return facts;
}

async function findPod(k: VerifyKube, t: VerifyTarget, facts: Facts): Promise<void> {
  try {
    let name = t.pod;
    if (t.deployment) {
      const d = await k.deployment(t.namespace, t.deployment);
      if (!d) {
        facts.podError = `deployment ${t.namespace}/${t.deployment} was not found`;
        return;
      }
      facts.deployment = { name: d.name, labels: d.labels, templateLabels: d.templateLabels, serviceAccountName: d.serviceAccountName };
      if (!name) {
        const pods = (await k.podsMatching(t.namespace, d.selector)).filter((p) => !p.deleting);
        const pick = pods.find((p) => p.phase === "Running") ?? pods[0];
        if (!pick) {
          facts.podError = `deployment ${t.deployment} has no pods`;
          return;
        }
        name = pick.name;
      }
    }
    if (!name && !t.deployment) {
      // None named: the newest running pod of the service account, as a person would pick it.
      const pods = (await k.podsMatching(t.namespace, "", `spec.serviceAccountName=${t.serviceAccount}`)).filter((p) => !p.deleting);
      const pick = pods.find((p) => p.phase === "Running");
      if (!pick) {
        facts.noPod = `no pod runs as service account ${t.namespace}/${t.serviceAccount}`;
        return;
      }
      name = pick.name;
      facts.podChosen = `the newest running pod of service account ${t.namespace}/${t.serviceAccount}`;
    }
    if (!name) return;
    const pod = await k.ops.getPod(t.namespace, name);
    if (pod) facts.pod = pod;
    else facts.podError = `pod ${t.namespace}/${name} was not found`;
  } catch (e) {
    facts.podError = msg(e);
    markRead(facts, "pod", e);
  }
}

/** Reads each running container's AZURE_* env, then the token file the env names; returns the token (kept out of facts). */
async function readInsidePod(k: VerifyKube, facts: Facts): Promise<string | undefined> {
  const pod = facts.pod!;
  const running = pod.containers.filter((c) => !c.init);
  facts.containerEnv = await Promise.all(
    running.map(async (c): Promise<ContainerEnvFacts> => {
      try {
        const r = await k.exec(pod.namespace, pod.name, c.name, ["env"]);
        if (r.error || r.exitCode !== 0)
          return { name: c.name, init: false, error: r.error ?? (r.stderr.trim() || `env exited ${r.exitCode}`), ...(r.transient ? { transient: true } : {}) };
        return { name: c.name, init: false, env: parseEnv(r.stdout) };
      } catch (e) {
        return { name: c.name, init: false, error: msg(e) };
      }
    }),
  );
  // A container whose image has no `env` (distroless) still shows its variables in the pod spec,
  // where the webhook wrote them.
  const envOf = (c: ContainerEnvFacts) => c.env ?? (notInImage(c.error) ? running.find((r) => r.name === c.name)?.env : undefined);
  const holders = facts.containerEnv.filter((c) => envOf(c)?.AZURE_FEDERATED_TOKEN_FILE);
  const path = holders[0] && envOf(holders[0])!.AZURE_FEDERATED_TOKEN_FILE;
  if (!path) {
    // A container whose env could not be read transiently may well be the one holding it.
    const blip = facts.containerEnv.find((c) => c.transient);
    facts.token = {
      error: blip ? `the environment of container ${blip.name} could not be read: ${blip.error}` : "AZURE_FEDERATED_TOKEN_FILE is not set in any container",
    };
    if (blip) markRead(facts, "token");
    return undefined;
  }
  facts.token = { path };
  // The file, read with `cat` in the first container that has it; containers without the program
  // are passed over (the webhook mounts the token into every container).
  for (const holder of holders) {
    const r = await k.exec(pod.namespace, pod.name, holder.name, ["cat", path]);
    if (notInImage(r.error)) continue;
    if (r.error || r.exitCode !== 0) {
      facts.token.error = r.error ?? (r.stderr.trim() || `cat exited ${r.exitCode}`);
      if (r.transient) markRead(facts, "token");
      return undefined;
    }
    return takeToken(facts, r.stdout.trim(), { container: holder.name });
  }
  // No container can read it: the same token, asked of the API server for this pod.
  type Projected = { projected?: { sources?: { serviceAccountToken?: { path?: string; audience?: string } }[] } };
  const audience = (pod.volumes as Projected[])
    .flatMap((v) => v.projected?.sources ?? [])
    .find((src) => src.serviceAccountToken?.path && path.endsWith(`/${src.serviceAccountToken.path}`))?.serviceAccountToken?.audience;
  const why = `no container of pod ${pod.name} has cat to read ${path}`;
  try {
    const token = await k.requestToken(pod.namespace, pod.serviceAccountName, audience ?? TOKEN_AUDIENCE, { name: pod.name, uid: pod.uid });
    return takeToken(facts, token, { tokenRequest: true, why });
  } catch (e) {
    facts.token.error = `${why}, and the TokenRequest API refused a token for service account ${pod.serviceAccountName}: ${msg(e)}`;
    if (transientOf(e)) markRead(facts, "token", e);
    return undefined;
  }
}

/** The exec failed because the image lacks the program (the runtime's "executable file not found"). */
const notInImage = (error: string | undefined) => !!error && /executable file not found/.test(error);

function takeToken(facts: Facts, token: string, via: NonNullable<TokenFacts["via"]>): string | undefined {
  facts.token!.via = via;
  try {
    facts.token!.claims = tokenClaims(token);
    return token;
  } catch (e) {
    facts.token!.error = `the file is not a JWT (${msg(e)})`;
    return undefined;
  }
}

async function exchangeAndProbe(
  deps: GatherDeps,
  facts: Facts,
  p: { clientId: string; tenantId: string; assertion: string },
  accessPlan: Promise<{ roles: RoleAccessFacts[]; forbidden?: string } | { error: string; transient: boolean }> | undefined,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
): Promise<void> {
  const wait = deps.propagation ?? DEFAULT_PROPAGATION;
  const written = facts.target.federatedCredentialWrittenAt ? Date.parse(facts.target.federatedCredentialWrittenAt) : NaN;
  const recent = now() - written < wait.recentMs;
  // Waiting only makes sense when a credential matches this token exactly (the mismatch is not ours).
  const claims = facts.token?.claims;
  const matches = () =>
    (facts.federatedCredentials ?? []).some(
      (f) => ficMatches(f, claims?.iss, claims?.sub ?? expectedSubject(facts)) && claims?.aud?.some((a) => f.audiences.includes(a)),
    );
  let attempts = 0;
  let waited = 0;
  let delay = wait.initialDelayMs;
  let access: AccessFacts | undefined;
  for (;;) {
    attempts++;
    let attempt: ExchangeAttempt;
    try {
      const r = await deps.azure.exchange(p, async (arm) => {
        const plan = accessPlan ? await accessPlan : { roles: [] };
        if ("error" in plan) {
          if (plan.transient) markRead(facts, "access");
          return { roles: [], error: plan.error } as AccessFacts;
        }
        const roles = await Promise.all(
          plan.roles.map(async (role) => {
            if (role.error || role.forbidden) return role;
            try {
              return await permissionsOf(deps, facts, role, arm, sleep, now);
            } catch (e) {
              return { ...role, error: msg(e), ...(transientOf(e) ? { transient: true } : {}) };
            }
          }),
        );
        return (plan.forbidden ? { roles, forbidden: plan.forbidden } : { roles }) as AccessFacts;
      });
      attempt = r.attempt;
      access = r.result;
    } catch (e) {
      attempt = { ok: false, error: "error", errorDescription: msg(e), transient: !!transientOf(e) };
    }
    const retry =
      !attempt.ok && attempt.aadsts !== undefined && PROPAGATION_CODES.has(attempt.aadsts) && recent && matches() && waited + delay <= wait.budgetMs;
    if (!retry) {
      facts.exchange = {
        ok: attempt.ok,
        claims: attempt.claims,
        aadsts: attempt.aadsts,
        error: attempt.error,
        errorDescription: attempt.errorDescription,
        attempts,
        waitedMs: waited,
      };
      if (attempt.transient) facts.exchange.transient = true;
      facts.access = attempt.ok ? (access ?? { roles: [] }) : { roles: [], skipped: "no ARM token from the exchange" };
      // Entra could not fetch the issuer: fetch it too, to tell a blip from an unreachable issuer.
      if (!attempt.ok && attempt.aadsts !== undefined && ISSUER_FETCH_CODES.has(attempt.aadsts) && claims?.iss)
        facts.issuer = await deps.azure.issuerKeys(claims.iss);
      return;
    }
    deps.progress?.(
      `waiting for the federated credential to propagate (Entra answered AADSTS${attempt.aadsts}); retrying in ${Math.round(delay / 100) / 10} s`,
    );
    await sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, 8_000);
  }
}

/** The workload's permissions at a role's scope. When the operator sees the assignment but the
 *  workload does not yet, and init made an assignment within the propagation window, the read is
 *  repeated within its own budget (ARM's permissions API lags new assignments by up to 10 min). */
async function permissionsOf(
  deps: GatherDeps,
  facts: Facts,
  role: RoleAccessFacts,
  arm: ArmAsWorkload,
  sleep: (ms: number) => Promise<void>,
  now: () => number,
): Promise<RoleAccessFacts> {
  const p = deps.propagation ?? DEFAULT_PROPAGATION;
  const wait = {
    initialDelayMs: p.initialDelayMs,
    roleBudgetMs: p.roleBudgetMs ?? DEFAULT_PROPAGATION.roleBudgetMs!,
    roleRecentMs: p.roleRecentMs ?? DEFAULT_PROPAGATION.roleRecentMs!,
  };
  const assignedAt = facts.target.roleAssignedAt;
  const young = !!assignedAt && now() - Date.parse(assignedAt) < wait.roleRecentMs && (role.assignedAt ?? []).some((at) => appliesAt(at, role.scope));
  const notYet = (r: RoleAccessFacts) => !r.effective?.length || uncovered(r).length > 0;
  let out: RoleAccessFacts = { ...role, effective: await arm.permissions(role.scope) };
  let waited = 0;
  let delay = wait.initialDelayMs;
  while (young && notYet(out) && waited + delay <= wait.roleBudgetMs) {
    deps.progress?.(
      `waiting for the role assignment ${role.role} to propagate (assigned ${assignedAt}; Azure takes up to 10 min); retrying in ${Math.round(delay / 100) / 10} s, waiting up to ${Math.round(wait.roleBudgetMs / 1000)} s`,
    );
    await sleep(delay);
    waited += delay;
    delay = Math.min(delay * 2, 8_000);
    out = { ...out, effective: await arm.permissions(role.scope) };
  }
  if (waited) out.waitedMs = waited;
  if (young && notYet(out)) out.propagating = { waitedMs: waited, assignedAt: assignedAt! };
  return out;
}
