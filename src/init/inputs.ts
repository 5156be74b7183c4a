// The inputs of `aks-wi init`. INPUTS is the one table of them: each entry names its options and
// AKS_WI_* variables, its state key (the entry's key), prompt, default, validator and parse.
// resolveInputs runs every entry through one ladder:
//   flag → AKS_WI_* environment variable → state file → prompt (interactive only) → default
// and every value is checked by Azure's / Kubernetes' naming rules before anything is sent.
// At the prompt, the preselected default is the answer kept from a cancelled or failed wizard run
// (src/init/kept-answers.ts), else the built-in default: kept answers rank below flags, env and
// the state file and above the built-in defaults, and only ever as an offer at a prompt (a run
// that cannot ask never takes them). A list with a single entry and no "create new" is taken
// with a line saying so.
// src/cli/register-init.ts declares the commander options from this table, and a unit test holds
// README.md's table of inputs to it.
import { defaultFederatedCredentialName } from "../core/workload-identity.js";
import { parseTags, validateLocation } from "../core/identity-options.js";
import { UserError } from "../core/errors.js";
import {
  isGuid,
  validateClusterName,
  validateFederatedCredentialName,
  validateIdentityName,
  validateNamespace,
  validatePodName,
  validateResourceGroup,
  validateRole,
  validateScope,
  validateServiceAccount,
  validateSubscription,
  validateWorkload,
  type Validator,
} from "../core/names.js";
import type { RoleRequest } from "../core/ports.js";
import { clip, parseBool, splitList } from "../core/util.js";
import { askRoles, type RoleSources } from "./ask-roles.js";
import type { Answers } from "./kept-answers.js";
import type { PickChoice, Prompter } from "../terminal/prompts.js";
import { assertSameWorkload, type InitInputs, type InitState, type SavedInputs } from "./state.js";
import { TEST_POD_IMAGE } from "./steps/test-pod.js";
import { matchSubscriptionName } from "../core/subscription-name.js";

/** An image reference as a container runtime takes it: [registry[:port]/]path[:tag][@digest]. */
export const validateImage: Validator = (v) =>
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/.test(v) &&
  v.length <= 4096
    ? undefined
    : "image must be a reference such as myregistry.azurecr.io/mirror/busybox:1.36 (lower-case path, optional :tag and @sha256:digest)";

export type ScalarKey =
  | "subscription"
  | "resourceGroup"
  | "cluster"
  | "identityResourceGroup"
  | "identitySubscription"
  | "identity"
  | "identityLocation"
  | "namespace"
  | "serviceAccount"
  | "federatedCredential"
  | "testPodName"
  | "testPodImage";
export type InputKey = ScalarKey | "roles" | "testPod" | "tags" | "workloads";

export type Source = "flag" | "env" | "state" | "prompt" | "default";

/** The values of the table's inputs. */
type Resolved = Pick<SavedInputs, InputKey>;
type Got = Partial<Resolved>;

/** The flags of the inputs, as commander hands them over (see src/cli/register-init.ts). */
export interface InputFlags extends Partial<Record<ScalarKey, string>> {
  role?: string[];
  scope?: string[];
  tags?: string[];
  testPod?: boolean;
  workload?: string[];
  overwrite?: boolean;
  allowBroadScope?: boolean;
}

/** Live data for the pick-lists (through AzureOps/KubeOps); any of them may fail, then the prompt falls back to free text. */
export interface PickSources extends RoleSources {
  subscriptions(): Promise<PickChoice[]>;
  resourceGroups(subscription: string): Promise<PickChoice[]>;
  clusters(subscription: string, resourceGroup: string): Promise<PickChoice[]>;
  identities(subscription: string, resourceGroup: string): Promise<PickChoice[]>;
  namespaces(got: Got): Promise<PickChoice[]>;
  serviceAccounts(got: Got): Promise<PickChoice[]>;
}

export interface ProfileDefaults {
  subscription?: string;
  /** Where the profile's subscription came from ("AZURE_SUBSCRIPTION_ID", "az's current subscription (…)"). */
  subscriptionOrigin?: string;
  resourceGroup?: string;
  cluster?: string;
}

/** One command-line option of an input, as register-init.ts declares it. */
export interface InputOption {
  /** commander's flags, e.g. "-g, --resource-group <name>". */
  flags: string;
  /** The help line; "(env NAME)" is appended for an option with a variable. */
  help: string;
  /** The AKS_WI_* variable the option's value may also come from. */
  env?: string;
  /** How the variable's value is written, e.g. "comma-separated". */
  envFormat?: string;
  /** Each use appends to a list, in order. */
  repeatable?: boolean;
}

/** Where a given value came from. */
type Origin = "flag" | "env" | "state";

interface Layers {
  flags: InputFlags;
  env: NodeJS.ProcessEnv;
  saved?: Partial<InitInputs>;
}

export interface InputSpec<K extends InputKey = InputKey> {
  key: K;
  /** What the user calls it (error messages, prompts). */
  label: string;
  /** The cluster's inputs resolve before the state file is read (the default state file is per
   *  cluster); the workload's are then checked against the file's; the rest come last. */
  group: "cluster" | "workload" | "run";
  /** Its command-line options (none: environment only). */
  options: readonly InputOption[];
  /** Its AKS_WI_* variables. */
  env: readonly string[];
  /** What a layer gives, raw; undefined when that layer says nothing. */
  given(origin: Origin, l: Layers): unknown;
  /** Checks and converts a given value; pushes each problem (naming where the value came from). */
  parse(raw: unknown, origin: Origin, problems: string[]): Resolved[K];
  /** Default once the earlier inputs are known (undefined: none, the input is required). */
  default?(got: Got, profile: ProfileDefaults): Resolved[K] | undefined;
  /** Asks for it at a terminal (with the default preselected); absent: never asked. */
  ask?(prompter: Prompter, got: Got, def: Resolved[K] | undefined, sources?: PickSources, note?: (line: string) => void): Promise<Resolved[K]>;
  /** The default derives from earlier inputs: when those are missing, only they are reported. */
  derived?: boolean;
}

export { defaultFederatedCredentialName };

/** The long flag of an option ("--resource-group" of "-g, --resource-group <name>"). */
export const longFlag = (o: InputOption): string => /--[a-z-]+/.exec(o.flags)![0];

const NEW = Symbol("new");

/** A pick-list of live choices at the prompt; `allowNew` adds a "create new" entry asking for a name. */
interface PickList {
  source(s: PickSources, got: Got): Promise<PickChoice[]>;
  allowNew?: string;
}

/** A name: one option and one variable, checked by `validate`. */
function name(
  key: ScalarKey,
  label: string,
  group: InputSpec["group"],
  option: InputOption | undefined,
  env: string,
  validate: Validator,
  more: { default?: InputSpec<ScalarKey>["default"]; pick?: PickList; prompt?: false; derived?: boolean } = {},
): InputSpec<ScalarKey> {
  const where = (origin: Origin) => (origin === "flag" ? longFlag(option!) : origin === "env" ? env : "state file");
  return {
    key,
    label,
    group,
    options: option ? [{ ...option, env }] : [],
    env: [env],
    default: more.default,
    derived: more.derived,
    given: (origin, l) => (origin === "flag" ? l.flags[key] : origin === "env" ? l.env[env] || undefined : l.saved?.[key] || undefined),
    parse(raw, origin, problems) {
      const reason = validate(raw as string);
      if (reason) problems.push(`${where(origin)} "${clip(raw as string)}": ${reason}`);
      return raw as string;
    },
    ask: more.prompt === false ? undefined : (p, got, def, sources, note) => askName(label, validate, more.pick, p, got, def, sources, note),
  };
}

async function askName(
  label: string,
  validate: Validator,
  pick: PickList | undefined,
  prompter: Prompter,
  got: Got,
  def: string | undefined,
  sources?: PickSources,
  note?: (line: string) => void,
): Promise<string> {
  const message = `${label[0]!.toUpperCase()}${label.slice(1)}`;
  if (pick && sources) {
    let choices: PickChoice[] | undefined;
    try {
      choices = await pick.source(sources, got);
    } catch {
      choices = undefined; // the live list is a convenience: typing the name still works
    }
    if (choices?.length === 1 && !pick.allowNew) {
      // Nothing to choose: taken, and said, as az takes a lone subscription.
      note?.(`${message}: ${choices[0]!.name}, the only one`);
      return choices[0]!.value;
    }
    if (choices && (choices.length > 0 || pick.allowNew)) {
      const all: PickChoice<string | typeof NEW>[] = [...choices];
      if (pick.allowNew) all.push({ name: `+ ${pick.allowNew}`, value: NEW });
      const known = def !== undefined && choices.some((c) => c.value === def);
      // Enter on an untouched list never picks some existing resource by accident: with no known
      // default, the cursor starts on "create new".
      const initial = known ? def : pick.allowNew ? NEW : undefined;
      const picked = await prompter.select<string | typeof NEW>({ message, choices: all, default: initial });
      if (picked !== NEW) return picked;
      return prompter.input({ message: `Name of the new ${label}`, default: known ? undefined : def, validate });
    }
  }
  return prompter.input({ message, default: def, validate });
}

/** Pairs roles and scopes in order; every role needs its scope. `names` says where they came from. */
function pairRoles(roles: string[], scopes: string[], names: { role: string; scope: string }, problems: string[]): RoleRequest[] {
  if (roles.length !== scopes.length) {
    problems.push(`${names.role} and ${names.scope} pair up in order: got ${roles.length} role(s) and ${scopes.length} scope(s)`);
    return [];
  }
  const out: RoleRequest[] = [];
  roles.forEach((role, i) => {
    const scope = scopes[i]!;
    const r = validateRole(role);
    const s = validateScope(scope);
    if (r) problems.push(`${names.role} "${clip(role)}": ${r}`);
    if (s) problems.push(`${names.scope} "${clip(scope)}": ${s}`);
    if (!r && !s) out.push({ role, scope });
  });
  return out;
}

const ROLE_NAMES: Record<Origin, { role: string; scope: string }> = {
  flag: { role: "--role", scope: "--scope" },
  env: { role: "AKS_WI_ROLE", scope: "AKS_WI_SCOPE" },
  state: { role: "state file role", scope: "state file scope" },
};

const roles: InputSpec<"roles"> = {
  key: "roles",
  label: "role assignments",
  group: "run",
  options: [
    {
      flags: "--role <name|guid>",
      help: "Azure role to assign to the identity; repeatable, paired in order with --scope",
      env: "AKS_WI_ROLE",
      envFormat: "comma-separated",
      repeatable: true,
    },
    {
      flags: "--scope <resource-id>",
      help: "scope of the --role at the same position: a full resource ID",
      env: "AKS_WI_SCOPE",
      envFormat: "comma-separated",
      repeatable: true,
    },
  ],
  env: ["AKS_WI_ROLE", "AKS_WI_SCOPE"],
  given(origin, l) {
    if (origin === "flag") return l.flags.role?.length || l.flags.scope?.length ? [l.flags.role ?? [], l.flags.scope ?? []] : undefined;
    if (origin === "env") return l.env.AKS_WI_ROLE || l.env.AKS_WI_SCOPE ? [splitList(l.env.AKS_WI_ROLE), splitList(l.env.AKS_WI_SCOPE)] : undefined;
    return l.saved?.roles ? [l.saved.roles.map((r) => r.role), l.saved.roles.map((r) => r.scope)] : undefined;
  },
  parse: (raw, origin, problems) => pairRoles(...(raw as [string[], string[]]), ROLE_NAMES[origin], problems),
  default: () => [],
  ask: (p, got, def, sources) => askRoles(p, { subscription: got.subscription, resourceGroup: got.resourceGroup }, def, sources),
};

const TAG_SOURCES: Record<Origin, string> = { flag: "--tags", env: "AKS_WI_TAGS", state: "state file tag" };

/** Tags for a new identity; an existing identity's tags are left alone (the identity step says so). */
const tags: InputSpec<"tags"> = {
  key: "tags",
  label: "identity tags",
  group: "run",
  options: [
    {
      flags: "--tags <key=value>",
      help: "a tag for a new identity (e.g. one an Azure Policy requires), added to aks-wi's managed-by tag; repeatable",
      env: "AKS_WI_TAGS",
      envFormat: "comma-separated",
      repeatable: true,
    },
  ],
  env: ["AKS_WI_TAGS"],
  given(origin, l) {
    if (origin === "flag") return l.flags.tags?.length ? l.flags.tags : undefined;
    if (origin === "env") return l.env.AKS_WI_TAGS ? splitList(l.env.AKS_WI_TAGS) : undefined;
    return l.saved?.tags ? Object.entries(l.saved.tags).map(([k, v]) => `${k}=${v}`) : undefined;
  },
  parse: (raw, origin, problems) => parseTags(raw as string[], TAG_SOURCES[origin], problems),
  default: () => ({}),
};

const testPod: InputSpec<"testPod"> = {
  key: "testPod",
  label: "test pod",
  group: "run",
  options: [
    { flags: "--test-pod", help: "start a labelled test pod using the service account (the default)", env: "AKS_WI_TEST_POD" },
    { flags: "--no-test-pod", help: "skip the test pod" },
  ],
  env: ["AKS_WI_TEST_POD"],
  given: (origin, l) =>
    origin === "flag"
      ? l.flags.testPod
      : origin === "env"
        ? l.env.AKS_WI_TEST_POD || undefined
        : typeof l.saved?.testPod === "boolean"
          ? l.saved.testPod
          : undefined,
  parse(raw, _origin, problems) {
    if (typeof raw === "boolean") return raw;
    const b = parseBool(raw as string);
    if (b === undefined) problems.push(`AKS_WI_TEST_POD "${clip(raw as string)}": must be true or false (or 1/0, yes/no, on/off)`);
    return b ?? true;
  },
  default: () => true,
  ask: (p, _got, def) => p.confirm({ message: "Start a small test pod that uses the service account, to prove the setup?", default: def ?? true }),
};

const workloads: InputSpec<"workloads"> = {
  key: "workloads",
  label: "workloads to wire",
  group: "run",
  options: [
    {
      flags: "--workload <kind/name>",
      help: "an existing deployment, statefulset, daemonset or cronjob in the namespace to run as the service account (its pod template is labelled, then restarted); repeatable",
      env: "AKS_WI_WORKLOADS",
      envFormat: "comma-separated",
      repeatable: true,
    },
  ],
  env: ["AKS_WI_WORKLOADS"],
  given: (origin, l) =>
    origin === "flag"
      ? l.flags.workload?.length
        ? l.flags.workload
        : undefined
      : origin === "env"
        ? l.env.AKS_WI_WORKLOADS
          ? splitList(l.env.AKS_WI_WORKLOADS)
          : undefined
        : l.saved?.workloads,
  parse(raw, origin, problems) {
    const where = origin === "flag" ? "--workload" : origin === "env" ? "AKS_WI_WORKLOADS" : "state file workload";
    const list = raw as string[];
    for (const w of list) {
      const reason = validateWorkload(w);
      if (reason) problems.push(`${where} "${clip(w)}": ${reason}`);
    }
    return [...new Set(list)];
  },
  default: () => [],
};

/** --subscription as az takes it: the subscription's ID, or its name (resolved by listing, when unique). */
export const validateSubscriptionRef: Validator = (v) =>
  isGuid(v) || (v.trim() !== "" && v.length <= 64 && !/[\u0000-\u001f<>;|]/.test(v))
    ? undefined
    : "subscription must be a subscription ID (a GUID such as 00000000-0000-0000-0000-000000000000) or a subscription's name (1-64 characters)";

export const INPUTS: readonly InputSpec[] = [
  name(
    "subscription",
    "subscription",
    "cluster",
    {
      flags: "--subscription <id|name>",
      help: "subscription ID or unique name; default AZURE_SUBSCRIPTION_ID, else az's current subscription, else your only one",
    },
    "AKS_WI_SUBSCRIPTION",
    validateSubscriptionRef,
    {
      default: (_g, p) => p.subscription,
      pick: { source: (s) => s.subscriptions() },
    },
  ),
  name(
    "resourceGroup",
    "resource group (of the cluster)",
    "cluster",
    { flags: "-g, --resource-group <name>", help: "the cluster's resource group, as in az" },
    "AKS_WI_RESOURCE_GROUP",
    validateResourceGroup,
    {
      default: (_g, p) => p.resourceGroup,
      pick: { source: (s, g) => s.resourceGroups(g.subscription!) },
    },
  ),
  name("cluster", "AKS cluster", "cluster", { flags: "--cluster <name>", help: "AKS cluster name" }, "AKS_WI_CLUSTER", validateClusterName, {
    default: (_g, p) => p.cluster,
    pick: { source: (s, g) => s.clusters(g.subscription!, g.resourceGroup!) },
  }),
  name(
    "identitySubscription",
    "identity subscription",
    "workload",
    { flags: "--identity-subscription <id>", help: "the identity's subscription (same tenant); default: the cluster's" },
    "AKS_WI_IDENTITY_SUBSCRIPTION",
    validateSubscription,
    { default: (g) => g.subscription, derived: true, prompt: false },
  ),
  name(
    "identityResourceGroup",
    "identity resource group",
    "workload",
    { flags: "--identity-resource-group <name>", help: "the identity's resource group; default: the cluster's" },
    "AKS_WI_IDENTITY_RESOURCE_GROUP",
    validateResourceGroup,
    {
      default: (g) => g.resourceGroup,
      derived: true,
      pick: { source: (s, g) => s.resourceGroups(g.identitySubscription ?? g.subscription!) },
    },
  ),
  name(
    "identity",
    "managed identity",
    "workload",
    { flags: "--identity <name>", help: "user-assigned managed identity to create or reuse" },
    "AKS_WI_IDENTITY",
    validateIdentityName,
    {
      pick: { source: (s, g) => s.identities(g.identitySubscription ?? g.subscription!, g.identityResourceGroup!), allowNew: "create a new identity" },
    },
  ),
  name(
    "identityLocation",
    "identity location",
    "workload",
    { flags: "--identity-location <region>", help: "the region a new identity is created in; default: the cluster's" },
    "AKS_WI_IDENTITY_LOCATION",
    validateLocation,
    { derived: true, prompt: false },
  ),
  tags,
  name(
    "namespace",
    "Kubernetes namespace",
    "workload",
    { flags: "--namespace <name>", help: 'Kubernetes namespace; default "default"' },
    "AKS_WI_NAMESPACE",
    validateNamespace,
    {
      default: () => "default",
      pick: { source: (s, g) => s.namespaces(g), allowNew: "create a new namespace" },
    },
  ),
  name(
    "serviceAccount",
    "Kubernetes service account",
    "workload",
    { flags: "--service-account <name>", help: "Kubernetes service account to create or annotate" },
    "AKS_WI_SERVICE_ACCOUNT",
    validateServiceAccount,
    {
      pick: { source: (s, g) => s.serviceAccounts(g), allowNew: "create a new service account" },
    },
  ),
  name(
    "federatedCredential",
    "federated credential name",
    "workload",
    { flags: "--federated-credential <name>", help: "federated credential name; default aks-wi-<namespace>-<service account>" },
    "AKS_WI_FEDERATED_CREDENTIAL",
    validateFederatedCredentialName,
    {
      derived: true,
      default: (g) => (g.namespace && g.serviceAccount ? defaultFederatedCredentialName(g.namespace, g.serviceAccount) : undefined),
    },
  ),
  name("testPodName", "test pod name", "workload", undefined, "AKS_WI_TEST_POD_NAME", validatePodName, { default: () => "aks-wi-test", prompt: false }),
  roles,
  testPod,
  name(
    "testPodImage",
    "test pod image",
    "run",
    { flags: "--test-pod-image <image>", help: `the test pod's image, e.g. a mirror in your registry; default ${TEST_POD_IMAGE}` },
    "AKS_WI_TEST_POD_IMAGE",
    validateImage,
    {
      default: () => TEST_POD_IMAGE,
      prompt: false,
    },
  ),
  workloads,
];

/** How to sign in, for every command that reaches Azure: the profile reads them and checks them
 *  (src/azure/clouds.ts validateCloud, validateTenant) before anything is read. They are not saved
 *  in the state, which records the cloud itself (and is refused by another). */
export interface SignInInput extends InputOption {
  key: "cloud" | "tenant";
}

export const SIGN_IN_INPUTS: readonly SignInInput[] = [
  {
    key: "cloud",
    flags: "--cloud <name>",
    help: "Azure cloud: AzureCloud, AzureUSGovernment or AzureChinaCloud; default az's current cloud (az cloud set), else AzureCloud",
    env: "AKS_WI_CLOUD",
  },
  {
    key: "tenant",
    flags: "--tenant <id|domain>",
    help: "Entra tenant to sign in to for the ARM and AKS tokens, as az login --tenant; default the credential's own",
    env: "AZURE_TENANT_ID",
  },
];

/** The state file: --state names it up front (so it may name the cluster too); otherwise it is the
 *  cluster's default file, read once the cluster is known. Read once either way. */
export interface StateFile {
  given?: string;
  /** The cluster's default state file and what it holds (src/init/state.ts locateState). */
  locate(cluster: { subscription: string; resourceGroup: string; cluster: string }): Promise<{ path: string; state?: InitState }>;
  read(path: string): Promise<InitState | undefined>;
}

export interface ResolveRequest {
  options: InputFlags;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  /** Why the run is non-interactive ("--yes", "CI=true", "no terminal"): named in the missing-input error. */
  nonInteractiveReason?: string;
  prompter?: Prompter;
  sources?: PickSources;
  profile: ProfileDefaults;
  stateFile: StateFile;
  /** The subscriptions the signed-in principal can use: a name given is looked up there, and the
   *  only one is the default when nothing else names one. Absent: names are refused. */
  subscriptions?: () => Promise<{ id: string; name: string }[]>;
  /** Receives the one line that says where a subscription not given by ID came from, and each single choice taken. */
  note?: (line: string) => void;
  /** The wizard's answers kept from an unfinished run (offered as the prompts' defaults) and where
   *  this run's answers are kept as they are given. Interactive runs only. */
  kept?: { answers: Answers; keep(answers: Answers): Promise<void> };
}

export interface Resolution {
  inputs: InitInputs;
  /** Where each input came from (precedence tests, and the plan's "inputs" block). */
  sources: Partial<Record<InputKey, Source>>;
  /** The state file of this run, and what it held (undefined: none yet). */
  statePath: string;
  state?: InitState;
}

interface Problems {
  missing: string[];
  invalid: string[];
}

const ORIGINS: readonly Origin[] = ["flag", "env", "state"];

/** The first of flag, env and state that gives a value. */
function firstGiven(spec: InputSpec, l: Layers, origins = ORIGINS): { raw: unknown; origin: Origin } | undefined {
  for (const origin of origins) {
    const raw = spec.given(origin, l);
    if (raw !== undefined) return { raw, origin };
  }
  return undefined;
}

export async function resolveInputs(req: ResolveRequest): Promise<Resolution> {
  const { options: flags, env, prompter } = req;
  const ask = req.interactive && !!prompter;
  if (ask) {
    // A bad flag or env value is a usage error before any question is asked.
    const invalid: string[] = [];
    for (const spec of INPUTS) {
      const g = firstGiven(spec, { flags, env }, ["flag", "env"]);
      if (g) spec.parse(g.raw, g.origin, invalid);
    }
    if (invalid.length) throw inputError({ missing: [], invalid });
  }

  let statePath = req.stateFile.given;
  let state = statePath ? await req.stateFile.read(statePath) : undefined;
  const problems: Problems = { missing: [], invalid: [] };
  const got: Record<string, unknown> = {};
  const sources: Resolution["sources"] = {};
  const answered: Record<string, unknown> = {};

  /** The kept answer for an input, when it still passes the input's checks. */
  function keptAnswer(spec: InputSpec): unknown {
    const raw = (req.kept?.answers as Record<string, unknown> | undefined)?.[spec.key];
    if (raw === undefined) return undefined;
    const given = spec.given("state", { flags: {}, env: {}, saved: { [spec.key]: raw } });
    if (given === undefined) return undefined;
    const reasons: string[] = [];
    const value = spec.parse(given, "state", reasons);
    return reasons.length ? undefined : value;
  }

  /** The ladder: flag → env → state → prompt → default. */
  async function resolve(spec: InputSpec): Promise<void> {
    const l = { flags, env, saved: state?.inputs };
    const g = firstGiven(spec, l);
    if (g) {
      const before = problems.invalid.length;
      let value = spec.parse(g.raw, g.origin, problems.invalid);
      if (problems.invalid.length === before && spec.key === "subscription" && !isGuid(value as string)) {
        value = await subscriptionNamed(value as string, g.origin);
        if (value === undefined) return;
      }
      if (problems.invalid.length === before) [got[spec.key], sources[spec.key]] = [value, g.origin];
      return;
    }
    let def = spec.default?.(got, req.profile);
    if (spec.key === "subscription" && def === undefined) def = await onlySubscription();
    if (ask && spec.ask && problems.invalid.length === 0) {
      const kept = keptAnswer(spec);
      const answer = await spec.ask(prompter!, got, (kept ?? def) as never, req.sources, req.note);
      [got[spec.key], sources[spec.key]] = [answer, "prompt"];
      // A derived default (the credential's name) is kept only when the user changed it: otherwise
      // the next run derives it again from its own namespace and service account.
      if (!(spec.derived && answer === def)) {
        answered[spec.key] = answer;
        await req.kept?.keep({ ...answered });
      }
    } else if (def !== undefined) {
      // The profile's subscription (not one asked for at the prompt) says where it came from, and
      // is checked like a given one: AZURE_SUBSCRIPTION_ID or az's file may hold anything.
      if (spec.key === "subscription" && req.profile.subscription === def && !isGuid(def as string)) {
        problems.invalid.push(
          `${req.profile.subscriptionOrigin ?? "the default subscription"} "${clip(def as string)}": subscription must be a subscription ID (a GUID)`,
        );
        return;
      }
      [got[spec.key], sources[spec.key]] = [def, "default"];
      if (spec.key === "subscription" && req.profile.subscription === def) noteDefault(def as string);
    } else if (!spec.derived) {
      problems.missing.push(`${spec.label}: ${spec.options[0] ? longFlag(spec.options[0]) : "(no flag)"} or ${spec.env[0]}`);
    }
  }

  /** Every value given by flag or variable is valid: only then is it worth signing in to look one up. */
  const givenValid = (): boolean => {
    const invalid: string[] = [];
    for (const spec of INPUTS) {
      const g = firstGiven(spec, { flags, env }, ["flag", "env"]);
      if (g && spec.key !== "subscription") spec.parse(g.raw, g.origin, invalid);
    }
    return invalid.length === 0 && problems.invalid.length === 0;
  };
  const where = (origin: Origin) => (origin === "flag" ? "--subscription" : origin === "env" ? "AKS_WI_SUBSCRIPTION" : "state file subscription");

  /** A subscription given by name: its ID when exactly one of the principal's subscriptions has
   *  that name (as az account set matches it, ignoring case); else a usage error naming the choices. */
  async function subscriptionNamed(v: string, origin: Origin): Promise<string | undefined> {
    const shown = `${where(origin)} "${clip(v)}"`;
    if (!req.subscriptions) {
      problems.invalid.push(`${shown}: subscription must be a subscription ID (a GUID such as 00000000-0000-0000-0000-000000000000)`);
      return undefined;
    }
    if (!givenValid()) return undefined; // the other mistakes are reported without signing in
    const hit = matchSubscriptionName(v, await req.subscriptions());
    if ("problem" in hit) {
      problems.invalid.push(`${shown}: ${hit.problem}`);
      return undefined;
    }
    req.note?.(`Subscription: ${hit.id} (${hit.name}), named by ${where(origin)}`);
    return hit.id;
  }

  function noteDefault(id: string): void {
    if (req.profile.subscriptionOrigin) req.note?.(`Subscription: ${id}, from ${req.profile.subscriptionOrigin}`);
  }

  /** No subscription named anywhere: the principal's only one, as az picks it after az login. Only
   *  looked up when the cluster's other inputs are known, so a run missing several inputs says so
   *  without signing in. */
  async function onlySubscription(): Promise<string | undefined> {
    if (!req.subscriptions || ask) return undefined;
    const known = (k: "resourceGroup" | "cluster") =>
      !!(
        firstGiven(
          INPUTS.find((x) => x.key === k)!,
          { flags, env },
          ["flag", "env"],
        ) ?? req.profile[k]
      );
    if (!known("resourceGroup") || !known("cluster") || !givenValid()) return undefined;
    const subs = await req.subscriptions();
    if (subs.length !== 1) return undefined;
    req.note?.(`Subscription: ${subs[0]!.id} (${subs[0]!.name}), the only one you can use`);
    return subs[0]!.id;
  }

  for (const group of ["cluster", "workload", "run"] as const) {
    for (const spec of INPUTS.filter((s) => s.group === group)) await resolve(spec);
    if (group === "cluster" && !statePath && got.cluster && got.subscription && got.resourceGroup) {
      ({ path: statePath, state } = await req.stateFile.locate({
        subscription: got.subscription as string,
        resourceGroup: got.resourceGroup as string,
        cluster: got.cluster as string,
      }));
    }
    // Before the roles and the test pod: a state file of another workload must not lend them.
    if (group === "workload") assertSameWorkload(state?.inputs, got);
  }

  if (problems.missing.length || problems.invalid.length) throw inputError(problems, req.nonInteractiveReason);
  return {
    // Roles that were named (not only defaulted to none) are the whole desired set: what aks-wi
    // made earlier for this binding and they no longer name is pruned.
    inputs: { ...(got as Resolved), overwrite: !!flags.overwrite, allowBroadScope: !!flags.allowBroadScope, prune: sources.roles !== "default" },
    sources,
    statePath: statePath!,
    state,
  };
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
