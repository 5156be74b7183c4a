// Input resolution for `aks-wi init`. Every input resolves in one order:
//   flag → AKS_WI_* environment variable → state file → prompt (interactive only) → default
// and is validated by Azure's / Kubernetes' naming rules before anything is sent. INPUTS is the
// one table describing each input; the missing-input error, the prompts and the docs derive from it.
import { UserError } from "../core/errors.js";
import type { RoleRequest } from "../core/ports.js";
import { parseBool, splitList } from "../core/util.js";
import type { InitInputs } from "./state.js";
import type { PickChoice, Prompter } from "../terminal/prompts.js";
import {
  validateClusterName, validateFederatedCredentialName, validateIdentityName, validateNamespace, validatePodName,
  validateResourceGroup, validateRole, validateScope, validateServiceAccount, validateSubscription, type Validator,
} from "../core/names.js";

/** The flags of the inputs, as commander hands them over (see src/cli/register-init.ts). */
export interface InputFlags {
  subscription?: string;
  resourceGroup?: string;
  cluster?: string;
  identity?: string;
  identityResourceGroup?: string;
  namespace?: string;
  serviceAccount?: string;
  federatedCredential?: string;
  role?: string[];
  scope?: string[];
  testPod?: boolean;
  overwrite?: boolean;
  allowBroadScope?: boolean;
}

export type ScalarKey =
  | "subscription" | "resourceGroup" | "cluster" | "identityResourceGroup" | "identity"
  | "namespace" | "serviceAccount" | "federatedCredential" | "testPodName";

export type Source = "flag" | "env" | "state" | "prompt" | "default";

type Got = Partial<Record<ScalarKey, string>>;

/** Live data for the pick-lists (through AzureOps/KubeOps); any of them may fail, then the prompt falls back to free text. */
export interface PickSources {
  subscriptions(): Promise<PickChoice[]>;
  resourceGroups(subscription: string): Promise<PickChoice[]>;
  clusters(subscription: string, resourceGroup: string): Promise<PickChoice[]>;
  identities(subscription: string, resourceGroup: string): Promise<PickChoice[]>;
  namespaces(got: Got): Promise<PickChoice[]>;
  serviceAccounts(got: Got): Promise<PickChoice[]>;
}

export interface InputSpec {
  key: ScalarKey;
  /** What the user calls it (error messages, prompts). */
  label: string;
  flag: string;
  env: string;
  validate: Validator;
  /** Default once the earlier inputs are known (undefined: none, the input is required). */
  default?: (got: Got, profile: ProfileDefaults) => string | undefined;
  /** The pick-list offered at the prompt; `allowNew` adds a "create new" entry asking for a name. */
  pick?: { source: (s: PickSources, got: Got) => Promise<PickChoice[]>; allowNew?: string };
  /** False: never prompted (resolved from flag/env/state/default only). */
  prompt?: boolean;
  /** The default derives from earlier inputs: when those are missing, only they are reported. */
  derived?: boolean;
}

export interface ProfileDefaults {
  subscription?: string;
  resourceGroup?: string;
  cluster?: string;
}

/** `aks-wi-<namespace>-<sa>`, trimmed to the federated credential rules (3-120, [A-Za-z0-9_-], starts alphanumeric). */
export function defaultFederatedCredentialName(namespace: string, serviceAccount: string): string {
  const name = `aks-wi-${namespace}-${serviceAccount}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 120);
  return name.replace(/-+$/, "");
}

export const INPUTS: readonly InputSpec[] = [
  {
    key: "subscription", label: "subscription", flag: "--subscription", env: "AKS_WI_SUBSCRIPTION", validate: validateSubscription,
    default: (_g, p) => p.subscription,
    pick: { source: (s) => s.subscriptions() },
  },
  {
    key: "resourceGroup", label: "resource group (of the cluster)", flag: "--resource-group", env: "AKS_WI_RESOURCE_GROUP", validate: validateResourceGroup,
    default: (_g, p) => p.resourceGroup,
    pick: { source: (s, g) => s.resourceGroups(g.subscription!) },
  },
  {
    key: "cluster", label: "AKS cluster", flag: "--cluster", env: "AKS_WI_CLUSTER", validate: validateClusterName,
    default: (_g, p) => p.cluster,
    pick: { source: (s, g) => s.clusters(g.subscription!, g.resourceGroup!) },
  },
  {
    key: "identityResourceGroup", label: "identity resource group", flag: "--identity-resource-group", env: "AKS_WI_IDENTITY_RESOURCE_GROUP",
    validate: validateResourceGroup, default: (g) => g.resourceGroup, derived: true,
    pick: { source: (s, g) => s.resourceGroups(g.subscription!) },
  },
  {
    key: "identity", label: "managed identity", flag: "--identity", env: "AKS_WI_IDENTITY", validate: validateIdentityName,
    pick: { source: (s, g) => s.identities(g.subscription!, g.identityResourceGroup!), allowNew: "create a new identity" },
  },
  {
    key: "namespace", label: "Kubernetes namespace", flag: "--namespace", env: "AKS_WI_NAMESPACE", validate: validateNamespace,
    default: () => "default",
    pick: { source: (s, g) => s.namespaces(g), allowNew: "create a new namespace" },
  },
  {
    key: "serviceAccount", label: "Kubernetes service account", flag: "--service-account", env: "AKS_WI_SERVICE_ACCOUNT", validate: validateServiceAccount,
    pick: { source: (s, g) => s.serviceAccounts(g), allowNew: "create a new service account" },
  },
  {
    key: "federatedCredential", label: "federated credential name", flag: "--federated-credential", env: "AKS_WI_FEDERATED_CREDENTIAL",
    validate: validateFederatedCredentialName, derived: true,
    default: (g) => (g.namespace && g.serviceAccount ? defaultFederatedCredentialName(g.namespace, g.serviceAccount) : undefined),
  },
  {
    key: "testPodName", label: "test pod name", flag: "(no flag)", env: "AKS_WI_TEST_POD_NAME", validate: validatePodName,
    default: () => "aks-wi-test", prompt: false,
  },
];

export const ROLE_INPUT = { label: "role assignments", flag: "--role NAME|GUID --scope RESOURCE_ID", env: "AKS_WI_ROLE / AKS_WI_SCOPE" };
export const TEST_POD_INPUT = { label: "test pod", flag: "--test-pod / --no-test-pod", env: "AKS_WI_TEST_POD" };

export interface ResolveRequest {
  options: InputFlags;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  /** Why the run is non-interactive ("--yes", "CI=true", "no terminal"): named in the missing-input error. */
  nonInteractiveReason?: string;
  prompter?: Prompter;
  sources?: PickSources;
  profile: ProfileDefaults;
  /**
   * The saved inputs. Called with undefined first (the state file may be known from --state), then,
   * when that gave nothing, again once the cluster is known (the default state file is per cluster).
   */
  savedInputs(cluster: string | undefined): Promise<Partial<InitInputs> | undefined>;
}

export interface Resolution {
  inputs: InitInputs;
  /** Where each input came from (precedence tests, and the plan's "inputs" block). */
  sources: Partial<Record<ScalarKey | "roles" | "testPod", Source>>;
}

const NEW = Symbol("new");

export interface Problems {
  missing: string[];
  invalid: string[];
}

/** Pairs --role and --scope in order; every role needs its scope. */
export function pairRoles(roles: string[], scopes: string[], origin: { role: string; scope: string }, problems: Problems): RoleRequest[] {
  if (roles.length !== scopes.length) {
    problems.invalid.push(`${origin.role} and ${origin.scope} pair up in order: got ${roles.length} role(s) and ${scopes.length} scope(s)`);
    return [];
  }
  const out: RoleRequest[] = [];
  roles.forEach((role, i) => {
    const scope = scopes[i]!;
    const r = validateRole(role);
    const s = validateScope(scope);
    if (r) problems.invalid.push(`${origin.role} "${role}": ${r}`);
    if (s) problems.invalid.push(`${origin.scope} "${scope}": ${s}`);
    if (!r && !s) out.push({ role, scope });
  });
  return out;
}

export async function resolveInputs(req: ResolveRequest): Promise<Resolution> {
  const { options, env, interactive, prompter } = req;
  const problems: Problems = { missing: [], invalid: [] };
  const got: Got = {};
  const sources: Resolution["sources"] = {};
  const ask = interactive && !!prompter;
  if (ask) {
    // A bad flag or env value is a usage error before any question is asked.
    const early = checkGiven(options, env);
    if (early.invalid.length) throw inputError(early);
  }
  let saved = await req.savedInputs(undefined);

  for (const spec of INPUTS) {
    if (spec.key === "identityResourceGroup" && !saved) {
      // The cluster is known now (or missing): the per-cluster state file can be read.
      saved = await req.savedInputs(got.cluster);
    }
    const fromFlag = options[spec.key as keyof InputFlags] as string | undefined;
    const fromEnv = env[spec.env] || undefined;
    const fromState = saved?.[spec.key] as string | undefined;
    let value: string | undefined;
    let source: Source | undefined;
    if (fromFlag !== undefined) [value, source] = [fromFlag, "flag"];
    else if (fromEnv !== undefined) [value, source] = [fromEnv, "env"];
    else if (fromState) [value, source] = [fromState, "state"];
    if (value !== undefined) {
      const reason = spec.validate(value);
      if (reason) {
        const where = source === "flag" ? spec.flag : source === "env" ? spec.env : "state file";
        problems.invalid.push(`${where} "${value}": ${reason}`);
        continue;
      }
    } else {
      const def = spec.default?.(got, req.profile);
      if (ask && spec.prompt !== false && problems.invalid.length === 0) {
        value = await promptFor(spec, got, def, prompter!, req.sources);
        source = "prompt";
      } else if (def !== undefined) {
        [value, source] = [def, "default"];
      }
    }
    if (value === undefined) {
      if (!spec.derived) problems.missing.push(`${spec.label}: ${spec.flag} or ${spec.env}`);
      continue;
    }
    got[spec.key] = value;
    sources[spec.key] = source;
  }

  // The state file records one workload. Naming another one while it is loaded would silently reuse
  // that workload's credential name, roles and test pod: refuse instead, before anything changes.
  const other = otherWorkload(saved, got);
  if (other) throw other;

  const roles = await resolveRoles(req, saved, problems, sources);
  const testPod = await resolveTestPod(req, saved, problems, sources);

  if (problems.missing.length || problems.invalid.length) throw inputError(problems, req.nonInteractiveReason);
  return {
    inputs: {
      subscription: got.subscription!,
      resourceGroup: got.resourceGroup!,
      cluster: got.cluster!,
      identity: got.identity!,
      identityResourceGroup: got.identityResourceGroup!,
      namespace: got.namespace!,
      serviceAccount: got.serviceAccount!,
      federatedCredential: got.federatedCredential!,
      roles,
      testPod,
      testPodName: got.testPodName!,
      overwrite: !!options.overwrite,
      allowBroadScope: !!options.allowBroadScope,
    },
    sources,
  };
}

/** An error when flags or env vars name a cluster, namespace or service account other than the
 *  saved one (the file would be rewritten to describe a setup it never recorded). */
function otherWorkload(saved: Partial<InitInputs> | undefined, got: Got): UserError | undefined {
  const differs = (k: "subscription" | "resourceGroup" | "cluster") =>
    saved?.[k] && got[k] && saved[k]!.toLowerCase() !== got[k]!.toLowerCase();
  // A state file written by a run records all three; the cluster is the triple, not one part.
  const recordsCluster = !!(saved?.subscription && saved.resourceGroup && saved.cluster);
  if (recordsCluster && (["subscription", "resourceGroup", "cluster"] as const).some(differs)) {
    return new UserError(
      `the state file holds the setup on cluster ${saved!.cluster} (resource group ${saved!.resourceGroup}, subscription ${saved!.subscription}), not ${got.cluster} in ${got.resourceGroup}`,
      `pass --state FILE for this cluster, e.g. --state .aks-wi/${got.cluster ?? "CLUSTER"}/state.json (the default); nothing was changed`,
      "usage",
    );
  }
  if (!saved?.namespace || !saved.serviceAccount || !got.namespace || !got.serviceAccount) return undefined;
  if (saved.namespace === got.namespace && saved.serviceAccount === got.serviceAccount) return undefined;
  return new UserError(
    `the state file holds the setup of service account ${saved.namespace}/${saved.serviceAccount}, not ${got.namespace}/${got.serviceAccount}`,
    `pass --state FILE for another workload on this cluster, e.g. --state .aks-wi/${got.cluster ?? "CLUSTER"}/${got.namespace}.${got.serviceAccount}.json; nothing was changed`,
    "usage",
  );
}

/** Validates only what flags and environment variables give (no state, no prompts). */
export function checkGiven(options: InputFlags, env: NodeJS.ProcessEnv): Problems {
  const problems: Problems = { missing: [], invalid: [] };
  for (const spec of INPUTS) {
    const flag = options[spec.key as keyof InputFlags] as string | undefined;
    const fromEnv = env[spec.env] || undefined;
    const [value, where] = flag !== undefined ? [flag, spec.flag] : [fromEnv, spec.env];
    const reason = value !== undefined ? spec.validate(value) : undefined;
    if (reason) problems.invalid.push(`${where} "${value}": ${reason}`);
  }
  if ((options.role?.length ?? 0) > 0 || (options.scope?.length ?? 0) > 0) {
    pairRoles(options.role ?? [], options.scope ?? [], { role: "--role", scope: "--scope" }, problems);
  } else if (env.AKS_WI_ROLE || env.AKS_WI_SCOPE) {
    pairRoles(splitList(env.AKS_WI_ROLE), splitList(env.AKS_WI_SCOPE), { role: "AKS_WI_ROLE", scope: "AKS_WI_SCOPE" }, problems);
  }
  if (options.testPod === undefined && env.AKS_WI_TEST_POD && parseBool(env.AKS_WI_TEST_POD) === undefined) {
    problems.invalid.push(`AKS_WI_TEST_POD "${env.AKS_WI_TEST_POD}": must be true or false`);
  }
  return problems;
}

function inputError(p: Problems, nonInteractiveReason?: string): UserError {
  const lines: string[] = [];
  if (p.missing.length) {
    const why = nonInteractiveReason ? ` (not asking: ${nonInteractiveReason})` : "";
    lines.push(`missing ${p.missing.length === 1 ? "input" : "inputs"}${why}:`, ...p.missing.map((m) => `  - ${m}`));
  }
  if (p.invalid.length) lines.push(`invalid ${p.invalid.length === 1 ? "input" : "inputs"}:`, ...p.invalid.map((m) => `  - ${m}`));
  const hint = p.missing.length
    ? "pass each as a flag or environment variable, or run in a terminal without --yes to be asked"
    : "fix the values above; nothing was changed";
  return new UserError(lines.join("\n"), hint, "usage");
}

async function promptFor(spec: InputSpec, got: Got, def: string | undefined, prompter: Prompter, sources?: PickSources): Promise<string> {
  const message = `${spec.label[0]!.toUpperCase()}${spec.label.slice(1)}`;
  if (spec.pick && sources) {
    let choices: PickChoice[] | undefined;
    try {
      choices = await spec.pick.source(sources, got);
    } catch {
      choices = undefined; // the live list is a convenience: typing the name still works
    }
    if (choices && (choices.length > 0 || spec.pick.allowNew)) {
      const all: PickChoice<string | typeof NEW>[] = [...choices];
      if (spec.pick.allowNew) all.push({ name: `+ ${spec.pick.allowNew}`, value: NEW });
      const known = def !== undefined && choices.some((c) => c.value === def);
      // Enter on an untouched list never picks some existing resource by accident: with no known
      // default, the cursor starts on "create new".
      const initial = known ? def : spec.pick.allowNew ? NEW : undefined;
      const picked = await prompter.select<string | typeof NEW>({ message, choices: all, default: initial });
      if (picked !== NEW) return picked;
      return prompter.input({ message: `Name of the new ${spec.label}`, default: known ? undefined : def, validate: spec.validate });
    }
  }
  return prompter.input({ message, default: def, validate: spec.validate });
}

async function resolveRoles(req: ResolveRequest, saved: Partial<InitInputs> | undefined, problems: Problems, sources: Resolution["sources"]): Promise<RoleRequest[]> {
  const { options, env } = req;
  if ((options.role?.length ?? 0) > 0 || (options.scope?.length ?? 0) > 0) {
    sources.roles = "flag";
    return pairRoles(options.role ?? [], options.scope ?? [], { role: "--role", scope: "--scope" }, problems);
  }
  if (env.AKS_WI_ROLE || env.AKS_WI_SCOPE) {
    sources.roles = "env";
    return pairRoles(splitList(env.AKS_WI_ROLE), splitList(env.AKS_WI_SCOPE), { role: "AKS_WI_ROLE", scope: "AKS_WI_SCOPE" }, problems);
  }
  if (saved?.roles) {
    sources.roles = "state";
    return pairRoles(saved.roles.map((r) => r.role), saved.roles.map((r) => r.scope), { role: "state file role", scope: "state file scope" }, problems);
  }
  if (req.interactive && req.prompter && problems.invalid.length === 0) {
    sources.roles = "prompt";
    const roles: RoleRequest[] = [];
    let more = await req.prompter.confirm({ message: "Assign an Azure role to the identity (e.g. Key Vault Secrets User on a vault)?", default: false });
    while (more) {
      const role = await req.prompter.input({ message: "Role (name or role definition GUID)", validate: validateRole });
      const scope = await req.prompter.input({ message: "Scope (full resource ID)", validate: validateScope });
      roles.push({ role, scope });
      more = await req.prompter.confirm({ message: "Assign another role?", default: false });
    }
    return roles;
  }
  sources.roles = "default";
  return [];
}

async function resolveTestPod(req: ResolveRequest, saved: Partial<InitInputs> | undefined, problems: Problems, sources: Resolution["sources"]): Promise<boolean> {
  if (req.options.testPod !== undefined) {
    sources.testPod = "flag";
    return req.options.testPod;
  }
  const raw = req.env.AKS_WI_TEST_POD;
  if (raw !== undefined && raw !== "") {
    const b = parseBool(raw);
    if (b === undefined) problems.invalid.push(`AKS_WI_TEST_POD "${raw}": must be true or false`);
    sources.testPod = "env";
    return b ?? true;
  }
  if (typeof saved?.testPod === "boolean") {
    sources.testPod = "state";
    return saved.testPod;
  }
  if (req.interactive && req.prompter && problems.invalid.length === 0) {
    sources.testPod = "prompt";
    return req.prompter.confirm({ message: "Start a small test pod that uses the service account, to prove the setup?", default: true });
  }
  sources.testPod = "default";
  return true;
}

/** What to save as the state's inputs: everything but the per-run permissions (--overwrite, --allow-broad-scope). */
export function inputsToSave(inputs: InitInputs): Partial<InitInputs> {
  const { overwrite: _o, allowBroadScope: _a, ...rest } = inputs;
  return rest;
}
