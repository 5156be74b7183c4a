// Acceptance: every kind of bad input to init, verify and sandbox is one clean line with the right
// exit code (input mistake 2, failed operation 1), and changes nothing in Azure, the cluster or on
// disk. One sandbox for the file; the built CLI runs a few cases at a time.
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { kubectlJson, runCli, tempDir, writeFingerprint, type CliResult } from "../helpers/init-cli.harness.js";

let sb: TestSandbox;
let before: string;
let sub: string;
const started = Date.now();

beforeAll(async () => {
  sb = await startTestSandbox();
  // The cluster seeds its namespaces on the first Kubernetes request: make it before the snapshot.
  await kubectlJson(sb.info.kubeconfig, ["get", "namespaces"]);
  before = writeFingerprint(sb.dir);
  sub = sb.info.subscriptionId;
});
afterAll(async () => {
  expect(writeFingerprint(sb.dir)).toBe(before);
  await sb?.stop();
  process.stderr.write(`bad-input: ${CASES.length} cases in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
});

interface Case {
  name: string;
  /** The command line; `sb` is the sandbox's directory. */
  args: (sb: string) => string[];
  env?: Record<string, string>;
  /** Files the case needs in its working directory (made before the "nothing changed on disk" snapshot). */
  setup?: (cwd: string) => void;
  code: number;
  /** What the one error line says. */
  says: RegExp;
  /** A case whose answer is on stdout with nothing on stderr (`sandbox status` of no sandbox). */
  quiet?: boolean;
}

const LONG = "x".repeat(100_000);
const GUID0 = "00000000-0000-0000-0000-000000000000";
const INIT = (sb: string) => ["init", "--sandbox", "--sandbox-dir", sb, "--yes"];
const WORKLOAD = ["--identity", "id-bad", "--namespace", "ns-bad", "--service-account", "sa-bad"];
const init =
  (...more: string[]) =>
  (sb: string) => [...INIT(sb), ...WORKLOAD, ...more];
/** init with the workload's flags replaced by `more` (for a bad workload name). */
const initWith =
  (...more: string[]) =>
  (sb: string) => {
    const names = new Map<string, string>([
      ["--identity", "id-bad"],
      ["--namespace", "ns-bad"],
      ["--service-account", "sa-bad"],
    ]);
    for (let i = 0; i < more.length; i += 2) if (names.has(more[i]!)) names.set(more[i]!, more[i + 1]!);
    const rest = more.filter((_v, i) => !names.has(more[i - (i % 2)]!));
    return [...INIT(sb), ...[...names].flat(), ...rest];
  };
const VERIFY = (sb: string) => ["verify", "--sandbox", "--sandbox-dir", sb];
const verify =
  (...more: string[]) =>
  (sb: string) => [...VERIFY(sb), "--namespace", "ns-bad", "--service-account", "sa-bad", ...more];
const verifyWith =
  (...more: string[]) =>
  (sb: string) => [...VERIFY(sb), ...more];
const azureInit =
  (...more: string[]) =>
  () => ["init", "--yes", ...more];

const stateFile = (body: unknown) => (cwd: string) => writeFileSync(join(cwd, "s.json"), typeof body === "string" ? body : JSON.stringify(body));
const file =
  (name: string, body = "") =>
  (cwd: string) =>
    writeFileSync(join(cwd, name), body);
const dir = (name: string) => (cwd: string) => mkdirSync(join(cwd, name), { recursive: true });
const sandboxJson = (body: unknown) => (cwd: string) => {
  mkdirSync(join(cwd, "sbx"));
  writeFileSync(join(cwd, "sbx", "sandbox.json"), typeof body === "string" ? body : JSON.stringify(body));
};
const state = (inputs: Record<string, unknown>, cloud = "sandbox") =>
  stateFile({ version: 1, cloud, inputs, steps: {}, outputs: {}, updatedAt: "2026-01-01T00:00:00.000Z" });

const CASES: Case[] = [
  // init: names by Azure's and Kubernetes' rules
  { name: "init --subscription not a GUID", args: init("--subscription", "my-sub"), code: 2, says: /subscription must be a subscription ID/ },
  { name: "init AKS_WI_SUBSCRIPTION not a GUID", args: init(), env: { AKS_WI_SUBSCRIPTION: "nope" }, code: 2, says: /AKS_WI_SUBSCRIPTION/ },
  { name: "init -g ending in a period", args: init("-g", "rg."), code: 2, says: /resource group name cannot end with '\.'/ },
  { name: "init -g with a slash", args: init("-g", "rg/x"), code: 2, says: /resource group name may hold only/ },
  { name: "init -g of 91 characters", args: init("-g", "r".repeat(91)), code: 2, says: /resource group name must be 1-90 characters long \(got 91\)/ },
  { name: "init --cluster starting with a hyphen", args: init("--cluster", "-aks"), code: 2, says: /cluster name must start and end with a letter or digit/ },
  { name: "init --cluster with a space", args: init("--cluster", "my aks"), code: 2, says: /cluster name may hold only/ },
  { name: "init --cluster of 64 characters", args: init("--cluster", "a".repeat(64)), code: 2, says: /cluster name must be 1-63 characters long/ },
  { name: "init --identity of 2 characters", args: initWith("--identity", "ab"), code: 2, says: /identity name must be 3-128 characters long/ },
  { name: "init --identity starting with _", args: initWith("--identity", "_idx"), code: 2, says: /identity name must start with a letter or digit/ },
  { name: "init --identity with a slash", args: initWith("--identity", "id/x"), code: 2, says: /identity name may hold only/ },
  {
    name: "init --identity of 129 characters",
    args: initWith("--identity", "i".repeat(129)),
    code: 2,
    says: /identity name must be 3-128 characters long \(got 129\)/,
  },
  {
    name: "init AKS_WI_IDENTITY too short",
    args: (sb) => [...INIT(sb), "--namespace", "ns-bad", "--service-account", "sa-bad"],
    env: { AKS_WI_IDENTITY: "a" },
    code: 2,
    says: /AKS_WI_IDENTITY/,
  },
  {
    name: "init --identity-resource-group ending in a period",
    args: init("--identity-resource-group", "rg."),
    code: 2,
    says: /resource group name cannot end with '\.'/,
  },
  { name: "init --namespace with capitals", args: initWith("--namespace", "Payments"), code: 2, says: /namespace must be lower-case/ },
  { name: "init --namespace with an underscore", args: initWith("--namespace", "ns_x"), code: 2, says: /namespace must be lower-case/ },
  { name: "init --namespace starting with a hyphen", args: initWith("--namespace", "-ns"), code: 2, says: /namespace must be lower-case/ },
  { name: "init --namespace of 64 characters", args: initWith("--namespace", "n".repeat(64)), code: 2, says: /namespace must be 1-63 characters long/ },
  {
    name: "init AKS_WI_NAMESPACE with capitals",
    args: (sb) => [...INIT(sb), "--identity", "id-bad", "--service-account", "sa-bad"],
    env: { AKS_WI_NAMESPACE: "Bad" },
    code: 2,
    says: /AKS_WI_NAMESPACE/,
  },
  { name: "init --service-account with capitals", args: initWith("--service-account", "SA"), code: 2, says: /service account name must be lower-case/ },
  { name: "init --service-account with an underscore", args: initWith("--service-account", "sa_x"), code: 2, says: /service account name must be lower-case/ },
  {
    name: "init --service-account with an empty label",
    args: initWith("--service-account", "sa..x"),
    code: 2,
    says: /service account name must be lower-case/,
  },
  {
    name: "init --service-account of 254 characters",
    args: initWith("--service-account", "s".repeat(254)),
    code: 2,
    says: /service account name must be 1-253 characters long/,
  },
  { name: "init --federated-credential of 2 characters", args: init("--federated-credential", "ab"), code: 2, says: /federated credential name must be 3-120/ },
  {
    name: "init --federated-credential starting with -",
    args: init("--federated-credential", "-abc"),
    code: 2,
    says: /federated credential name must start with a letter or digit/,
  },
  {
    name: "init --federated-credential of 121 characters",
    args: init("--federated-credential", "f".repeat(121)),
    code: 2,
    says: /federated credential name must be 3-120 characters long/,
  },
  {
    name: "init AKS_WI_TEST_POD_NAME with capitals",
    args: init(),
    env: { AKS_WI_TEST_POD_NAME: "Pod" },
    code: 2,
    says: /AKS_WI_TEST_POD_NAME "Pod": pod name must be lower-case/,
  },
  // init: roles and scopes
  {
    name: "init --role with surrounding spaces",
    args: init("--role", " Reader", "--scope", "/subscriptions/" + GUID0),
    code: 2,
    says: /role must be a role name or role definition GUID without surrounding spaces/,
  },
  { name: "init --scope not an ID", args: init("--role", "Reader", "--scope", "not-an-id"), code: 2, says: /scope must be a full resource ID/ },
  {
    name: "init two --role, one --scope",
    args: init("--role", "Reader", "--role", "Owner", "--scope", "/subscriptions/" + GUID0),
    code: 2,
    says: /--role and --scope pair up in order: got 2 role\(s\) and 1 scope\(s\)/,
  },
  {
    name: "init --scope with a bad subscription",
    args: init("--role", "Reader", "--scope", "/subscriptions/nope"),
    code: 2,
    says: /scope's subscription "nope" is not a subscription ID/,
  },
  { name: "init --scope ending in /", args: init("--role", "Reader", "--scope", `/subscriptions/${GUID0}/`), code: 2, says: /scope must not end with '\/'/ },
  {
    name: "init --scope without resourceGroups",
    args: init("--role", "Reader", "--scope", `/subscriptions/${GUID0}/foo`),
    code: 2,
    says: /scope must continue with \/resourceGroups/,
  },
  {
    name: "init --scope with a half provider path",
    args: init("--role", "Reader", "--scope", `/subscriptions/${GUID0}/resourceGroups/rg/providers/x`),
    code: 2,
    says: /scope must name a resource as/,
  },
  {
    name: "init --scope with a bad resource group",
    args: init("--role", "Reader", "--scope", `/subscriptions/${GUID0}/resourceGroups/rg.`),
    code: 2,
    says: /scope: resource group name cannot end/,
  },
  {
    name: "init --role a bad role definition ID",
    args: init("--role", "/providers/Microsoft.Authorization/roleDefinitions/bad", "--scope", `/subscriptions/${GUID0}`),
    code: 2,
    says: /role must be a role name, a role definition GUID or a role definition ID/,
  },
  {
    name: "init --role of 513 characters",
    args: init("--role", "r".repeat(513), "--scope", `/subscriptions/${GUID0}`),
    code: 2,
    says: /role name is too long/,
  },
  {
    name: "init a --role that does not exist at its scope",
    args: (sb) => init("--role", "Key Vault Secret User", "--scope", `/subscriptions/${sub}/resourceGroups/rg-sandbox`)(sb),
    code: 2,
    says: /role "Key Vault Secret User" not found at scope/,
  },
  {
    name: "init --role on a scope that does not exist",
    args: (sb) => init("--role", "Reader", "--scope", `/subscriptions/${sub}/resourceGroups/rg-sandbox/providers/Microsoft.KeyVault/vaults/kv-nope`)(sb),
    code: 2,
    says: /kv-nope/,
  },
  { name: "init --role without any --scope", args: init("--role", "Reader"), code: 2, says: /scope/ },
  {
    name: "init Owner at the subscription without --allow-broad-scope",
    args: (sb) => init("--role", "Owner", "--scope", `/subscriptions/${sub}`)(sb),
    code: 2,
    says: /--allow-broad-scope/,
  },
  { name: "init AKS_WI_SCOPE not an ID", args: init(), env: { AKS_WI_ROLE: "Reader", AKS_WI_SCOPE: "bad" }, code: 2, says: /AKS_WI_SCOPE/ },
  // init: huge values are refused, echoed short
  {
    name: "init a 100,000-character --scope",
    args: init("--role", "Reader", "--scope", `/subscriptions/${GUID0}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/${LONG}`),
    code: 2,
    says: /scope/,
  },
  {
    name: "init a 100,000-character --identity",
    args: initWith("--identity", LONG),
    code: 2,
    says: /identity name must be 3-128 characters long \(got 100000\)/,
  },
  { name: "init a 100,000-character --namespace", args: initWith("--namespace", LONG), code: 2, says: /namespace must be 1-63/ },
  { name: "init a 100,000-character --role", args: init("--role", LONG, "--scope", `/subscriptions/${GUID0}`), code: 2, says: /role name is too long/ },
  { name: "init a 100,000-character --subscription", args: init("--subscription", LONG), code: 2, says: /subscription must be a subscription ID/ },
  { name: "init a 100,000-character --cluster", args: init("--cluster", LONG), code: 2, says: /cluster name must be 1-63/ },
  // init: AKS_WI_* booleans
  {
    name: "init AKS_WI_SANDBOX=maybe",
    args: () => ["init", "--yes", ...WORKLOAD],
    env: { AKS_WI_SANDBOX: "maybe" },
    code: 2,
    says: /AKS_WI_SANDBOX "maybe" is not a yes or no\n {2}hint: set AKS_WI_SANDBOX to one of true, false, 1, 0, yes, no, on, off/,
  },
  { name: "init AKS_WI_SANDBOX=2", args: () => ["init", "--yes", ...WORKLOAD], env: { AKS_WI_SANDBOX: "2" }, code: 2, says: /AKS_WI_SANDBOX "2"/ },
  { name: "init AKS_WI_TEST_POD=maybe", args: init(), env: { AKS_WI_TEST_POD: "maybe" }, code: 2, says: /AKS_WI_TEST_POD "maybe": must be true or false/ },
  {
    name: "init AKS_WI_SANDBOX of 100,000 characters",
    args: () => ["init", "--yes", ...WORKLOAD],
    env: { AKS_WI_SANDBOX: LONG },
    code: 2,
    says: /AKS_WI_SANDBOX/,
  },
  // init: paths under /proc fail at once
  { name: "init --state /proc/x/state.json", args: init("--state", "/proc/x/state.json"), code: 2, says: /\/proc\/x.* is under \/proc/ },
  { name: "init --state /proc/self/state.json", args: init("--state", "/proc/self/state.json"), code: 2, says: /is under \/proc/ },
  { name: "init --state /sys/x/state.json", args: init("--state", "/sys/x/state.json"), code: 2, says: /is under \/sys/ },
  {
    name: "init --sandbox-dir /proc/x",
    args: () => ["init", "--sandbox", "--sandbox-dir", "/proc/x", "--yes", ...WORKLOAD],
    code: 2,
    says: /\/proc\/x is under \/proc/,
  },
  {
    name: "init --sandbox-dir /proc/self",
    args: () => ["init", "--sandbox", "--sandbox-dir", "/proc/self", "--yes", ...WORKLOAD],
    code: 2,
    says: /is under \/proc/,
  },
  {
    name: "init AKS_WI_SANDBOX_DIR=/proc/x",
    args: () => ["init", "--sandbox", "--yes", ...WORKLOAD],
    env: { AKS_WI_SANDBOX_DIR: "/proc/x" },
    code: 2,
    says: /is under \/proc/,
  },
  // init: the state file
  { name: "init --state is a directory", args: init("--state", "d"), setup: dir("d"), code: 2, says: /state file .*d is a directory/ },
  { name: "init --state under a file", args: init("--state", "f/state.json"), setup: file("f", "x"), code: 2, says: /has a file where a directory should be/ },
  { name: "init --state not JSON", args: init("--state", "s.json"), setup: stateFile("{oops"), code: 2, says: /is not valid JSON/ },
  { name: "init --state empty", args: init("--state", "s.json"), setup: stateFile(""), code: 2, says: /is not valid JSON/ },
  { name: "init --state {}", args: init("--state", "s.json"), setup: stateFile({}), code: 2, says: /is not an aks-wi state file/ },
  { name: "init --state null", args: init("--state", "s.json"), setup: stateFile("null"), code: 2, says: /is not an aks-wi state file/ },
  { name: "init --state of another cloud", args: init("--state", "s.json"), setup: state({}, "AzureCloud"), code: 2, says: /belongs to the AzureCloud cloud/ },
  {
    name: "init --state with roles of the wrong type",
    args: init("--state", "s.json"),
    setup: state({ roles: "Reader" }),
    code: 2,
    says: /inputs\.roles must be a list/,
  },
  {
    name: "init --state with a number for a name",
    args: init("--state", "s.json"),
    setup: state({ identity: 7 }),
    code: 2,
    says: /inputs\.identity must be a string/,
  },
  {
    name: "init --state of another service account",
    args: init("--state", "s.json"),
    setup: state({ namespace: "other", serviceAccount: "sa-other" }),
    code: 2,
    says: /holds the setup of service account other\/sa-other/,
  },
  {
    name: "init --state of another cluster",
    args: init("--state", "s.json", "--cluster", "aks-sandbox", "-g", "rg-sandbox"),
    setup: state({ subscription: GUID0, resourceGroup: "rg-x", cluster: "aks-x" }),
    code: 2,
    says: /holds the setup on cluster aks-x/,
  },
  {
    name: "init --state with a bad saved namespace",
    args: (sb) => [...INIT(sb), "--identity", "id-bad", "--service-account", "sa-bad", "--state", "s.json"],
    setup: state({ namespace: "Bad_NS" }),
    code: 2,
    says: /namespace/,
  },
  // init: the sandbox directory
  {
    name: "init --sandbox-dir that does not exist",
    args: () => ["init", "--sandbox", "--sandbox-dir", "nowhere", "--yes", ...WORKLOAD],
    code: 2,
    says: /no sandbox found in .*nowhere/,
  },
  {
    name: "init --sandbox-dir with a {} sandbox.json",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: sandboxJson({}),
    code: 2,
    says: /sandbox\.json/,
  },
  {
    name: "init --sandbox-dir with a broken sandbox.json",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: sandboxJson("{no"),
    code: 2,
    says: /sandbox\.json/,
  },
  {
    name: "init --sandbox-dir whose sandbox.json is a directory",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: (c) => mkdirSync(join(c, "sbx", "sandbox.json"), { recursive: true }),
    code: 2,
    says: /sandbox\.json/,
  },
  {
    name: "init --sandbox-dir that is a file",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: file("sbx", "x"),
    code: 2,
    says: /sbx/,
  },
  {
    name: "init --sandbox-dir with a stale sandbox.json",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: (c) => sandboxJson({ ...JSON.parse(JSON.stringify(sb.info)), pid: 2 ** 22 + 1 })(c),
    code: 2,
    says: /is not running/,
  },
  {
    name: "init --sandbox-dir whose CA file is gone",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: (c) => sandboxJson({ ...JSON.parse(JSON.stringify(sb.info)), caFile: join(c, "no-ca.pem") })(c),
    code: 2,
    says: /no-ca\.pem/,
  },
  {
    name: "init --sandbox-dir whose listeners are gone",
    args: () => ["init", "--sandbox", "--sandbox-dir", "sbx", "--yes", ...WORKLOAD],
    setup: (c) => sandboxJson({ ...JSON.parse(JSON.stringify(sb.info)), armEndpoint: "https://127.0.0.1:9", authorityHost: "https://127.0.0.1:9" })(c),
    code: 1,
    says: /could not reach the Entra ID sign-in endpoint/,
  },
  { name: "init --sandbox-dir without --sandbox", args: azureInit("--sandbox-dir", "x", ...WORKLOAD), code: 2, says: /--sandbox-dir needs --sandbox/ },
  // init: the kubeconfig
  { name: "init --kubeconfig that does not exist", args: init("--kubeconfig", "nope.yaml"), code: 2, says: /kubeconfig .*nope\.yaml/ },
  { name: "init --kubeconfig empty", args: init("--kubeconfig", "k.yaml"), setup: file("k.yaml", ""), code: 2, says: /kubeconfig .*k\.yaml/ },
  { name: "init --kubeconfig a directory", args: init("--kubeconfig", "k"), setup: dir("k"), code: 2, says: /kubeconfig .*k is a directory/ },
  { name: "init --kubeconfig not YAML", args: init("--kubeconfig", "k.yaml"), setup: file("k.yaml", "{: ["), code: 2, says: /kubeconfig .*k\.yaml/ },
  {
    name: "init --kubeconfig with no contexts",
    args: init("--kubeconfig", "k.yaml"),
    setup: file("k.yaml", "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n"),
    code: 2,
    says: /kubeconfig .*k\.yaml/,
  },
  { name: "init --kubeconfig a YAML list", args: init("--kubeconfig", "k.yaml"), setup: file("k.yaml", "- a\n- b\n"), code: 2, says: /kubeconfig .*k\.yaml/ },
  {
    name: "init --context not in the kubeconfig",
    args: (sb) => init("--kubeconfig", sb + "/kubeconfig", "--context", "nope")(sb),
    code: 2,
    says: /context "nope"/,
  },
  // init: commander
  { name: "init --output xml", args: init("--output", "xml"), code: 2, says: /argument 'xml' is invalid/ },
  { name: "init an unknown option", args: init("--bogus"), code: 2, says: /unknown option '--bogus'/ },
  { name: "init --state without a value", args: (sb) => [...init()(sb), "--state"], code: 2, says: /option '--state <file>' argument missing/ },
  { name: "init an extra argument", args: init("extra"), code: 2, says: /too many arguments|unknown command|excess/ },
  { name: "init Azure with nothing given", args: azureInit(), code: 2, says: /--subscription or AKS_WI_SUBSCRIPTION/ },
  // init: a lock that is held or cannot be judged (a failed operation, exit 1)
  {
    name: "init on a state file another run holds",
    args: init("--state", "s.json"),
    setup: (c) => writeFileSync(join(c, "s.json.lock"), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: "2026-01-01T00:00:00.000Z" })),
    code: 1,
    says: /another aks-wi init is running on .*s\.json \(pid \d+/,
  },
  {
    name: "init on a lock that cannot be judged",
    args: init("--state", "s.json"),
    setup: dir("s.json.lock"),
    code: 1,
    says: /whether its holder still runs cannot be told/,
  },

  // verify: its inputs by the same rules as init's
  {
    name: "verify --namespace with capitals",
    args: verifyWith("--namespace", "Payments", "--service-account", "sa"),
    code: 2,
    says: /namespace must be lower-case/,
  },
  { name: "verify --subscription not a GUID", args: verify("--subscription", "my-sub"), code: 2, says: /subscription must be a subscription ID/ },
  {
    name: "verify --service-account with capitals",
    args: verifyWith("--namespace", "ns", "--service-account", "SA"),
    code: 2,
    says: /service account name must be lower-case/,
  },
  { name: "verify -g ending in a period", args: verify("-g", "rg."), code: 2, says: /resource group name cannot end/ },
  { name: "verify --cluster starting with a hyphen", args: verify("--cluster", "-aks"), code: 2, says: /cluster name must start and end/ },
  { name: "verify --identity of 1 character", args: verify("--identity", "a"), code: 2, says: /identity name must be 3-128/ },
  {
    name: "verify --identity-resource-group ending in a period",
    args: verify("--identity", "id-x", "--identity-resource-group", "rg."),
    code: 2,
    says: /resource group name cannot end/,
  },
  { name: "verify --pod with capitals", args: verify("--pod", "Pod"), code: 2, says: /pod name must be lower-case/ },
  { name: "verify --deployment with an underscore", args: verify("--deployment", "web_x"), code: 2, says: /deployment name must be lower-case/ },
  { name: "verify --pod and --deployment", args: verify("--pod", "p", "--deployment", "d"), code: 2, says: /pass --pod or --deployment, not both/ },
  { name: "verify with nothing to verify", args: verifyWith(), code: 2, says: /nothing to verify: missing --namespace, --service-account/ },
  { name: "verify a 100,000-character --namespace", args: verifyWith("--namespace", LONG, "--service-account", "sa"), code: 2, says: /namespace must be 1-63/ },
  { name: "verify a 100,000-character --pod", args: verify("--pod", LONG), code: 2, says: /pod name must be 1-253/ },
  {
    name: "verify --propagation-timeout abc",
    args: verify("--propagation-timeout", "abc"),
    code: 2,
    says: /--propagation-timeout must be a number of seconds, got "abc"/,
  },
  { name: "verify --propagation-timeout -1", args: verify("--propagation-timeout", "-1"), code: 2, says: /--propagation-timeout must be a number of seconds/ },
  {
    name: "verify AKS_WI_VERIFY_PROPAGATION_TIMEOUT of 100,000 characters",
    args: verify(),
    env: { AKS_WI_VERIFY_PROPAGATION_TIMEOUT: LONG },
    code: 2,
    says: /--propagation-timeout must be a number of seconds/,
  },
  { name: "verify --state that does not exist", args: verifyWith("--state", "nope.json"), code: 2, says: /state file .*nope\.json does not exist/ },
  { name: "verify --state not JSON", args: verifyWith("--state", "s.json"), setup: stateFile("{oops"), code: 2, says: /is not valid JSON/ },
  { name: "verify --state a directory", args: verifyWith("--state", "d"), setup: dir("d"), code: 2, says: /is a directory/ },
  {
    name: "verify --state under a file",
    args: verifyWith("--state", "f/s.json"),
    setup: file("f", "x"),
    code: 2,
    says: /has a file where a directory should be/,
  },
  { name: "verify --state /proc/x/state.json", args: verifyWith("--state", "/proc/x/state.json"), code: 2, says: /is under \/proc/ },
  {
    name: "verify --state of another cloud",
    args: verifyWith("--state", "s.json"),
    setup: state({}, "AzureCloud"),
    code: 2,
    says: /belongs to the AzureCloud cloud/,
  },
  {
    name: "verify --state with a bad saved namespace",
    args: verifyWith("--state", "s.json"),
    setup: state({ namespace: "Bad", serviceAccount: "sa" }),
    code: 2,
    says: /namespace must be lower-case/,
  },
  {
    name: "verify --sandbox-dir /proc/x",
    args: () => ["verify", "--sandbox", "--sandbox-dir", "/proc/x", "--namespace", "ns", "--service-account", "sa"],
    code: 2,
    says: /is under \/proc/,
  },
  {
    name: "verify --sandbox-dir with a {} sandbox.json",
    args: () => ["verify", "--sandbox", "--sandbox-dir", "sbx", "--namespace", "ns", "--service-account", "sa"],
    setup: sandboxJson({}),
    code: 2,
    says: /sandbox\.json/,
  },
  { name: "verify --kubeconfig empty", args: verify("--kubeconfig", "k.yaml"), setup: file("k.yaml", ""), code: 2, says: /kubeconfig .*k\.yaml/ },
  { name: "verify --kubeconfig that does not exist", args: verify("--kubeconfig", "nope.yaml"), code: 2, says: /kubeconfig .*nope\.yaml/ },
  {
    name: "verify AKS_WI_SANDBOX=maybe",
    args: () => ["verify", "--namespace", "ns", "--service-account", "sa"],
    env: { AKS_WI_SANDBOX: "maybe" },
    code: 2,
    says: /AKS_WI_SANDBOX "maybe"/,
  },
  { name: "verify --output xml", args: verify("--output", "xml"), code: 2, says: /argument 'xml' is invalid/ },
  { name: "verify an unknown option", args: verify("--bogus"), code: 2, says: /unknown option '--bogus'/ },

  // sandbox
  {
    name: "sandbox start --latency sluggish",
    args: () => ["sandbox", "start", "--dir", "sbn", "--latency", "sluggish"],
    code: 2,
    says: /--latency: unknown latency profile "sluggish"/,
  },
  {
    name: "sandbox start --faults with an unknown status",
    args: () => ["sandbox", "start", "--dir", "sbn", "--faults", "arm.418=0.5"],
    code: 2,
    says: /--faults:/,
  },
  { name: "sandbox start --faults with a bad rate", args: () => ["sandbox", "start", "--dir", "sbn", "--faults", "arm.429=2"], code: 2, says: /--faults:/ },
  {
    name: "sandbox start AKS_WI_SANDBOX_FAULTS bad",
    args: () => ["sandbox", "start", "--dir", "sbn"],
    env: { AKS_WI_SANDBOX_FAULTS: "nope" },
    code: 2,
    says: /--faults:/,
  },
  { name: "sandbox start --rtt bad", args: () => ["sandbox", "start", "--dir", "sbn", "--rtt", "arm=fast"], code: 2, says: /--rtt:/ },
  { name: "sandbox start a 100,000-character --faults", args: () => ["sandbox", "start", "--dir", "sbn", "--faults", LONG], code: 2, says: /--faults:/ },
  { name: "sandbox start a 100,000-character --latency", args: () => ["sandbox", "start", "--dir", "sbn", "--latency", LONG], code: 2, says: /--latency:/ },
  { name: "sandbox start --dir /proc/x", args: () => ["sandbox", "start", "--dir", "/proc/x"], code: 2, says: /\/proc\/x is under \/proc/ },
  {
    name: "sandbox start --dir that is a file",
    args: () => ["sandbox", "start", "--dir", "f"],
    setup: file("f", "x"),
    code: 2,
    says: /sandbox directory .*f already exists and is not a directory/,
  },
  {
    name: "sandbox start --dir under a file",
    args: () => ["sandbox", "start", "--dir", "f/sb"],
    setup: file("f", "x"),
    code: 2,
    says: /has a file where a directory should be/,
  },
  { name: "sandbox stop --dir /proc/x", args: () => ["sandbox", "stop", "--dir", "/proc/x"], code: 2, says: /is under \/proc/ },
  { name: "sandbox status --dir /proc/x", args: () => ["sandbox", "status", "--dir", "/proc/x"], code: 2, says: /is under \/proc/ },
  { name: "sandbox env --dir /proc/x", args: () => ["sandbox", "env", "--dir", "/proc/x"], code: 2, says: /is under \/proc/ },
  { name: "sandbox env with no sandbox", args: () => ["sandbox", "env", "--dir", "nowhere"], code: 1, says: /no sandbox is running in .*nowhere/ },
  { name: "sandbox env --format xml", args: (sb) => ["sandbox", "env", "--dir", sb, "--format", "xml"], code: 2, says: /argument 'xml' is invalid/ },
  {
    name: "sandbox status with a {} sandbox.json",
    args: () => ["sandbox", "status", "--dir", "sbx"],
    setup: sandboxJson({}),
    code: 1,
    says: /sandbox: stopped/,
    quiet: true,
  },
  { name: "sandbox status with no sandbox", args: () => ["sandbox", "status", "--dir", "nowhere"], code: 1, says: /sandbox: stopped/, quiet: true },
  { name: "sandbox principal create a bad name", args: (sb) => ["sandbox", "principal", "create", "Bad_Name", "--dir", sb], code: 2, says: /Bad_Name/ },
  { name: "sandbox principal create a 100,000-character name", args: (sb) => ["sandbox", "principal", "create", LONG, "--dir", sb], code: 2, says: /name/ },
  {
    name: "sandbox principal create two roles, one scope",
    args: (sb) => ["sandbox", "principal", "create", "p1", "--dir", sb, "--role", "Reader", "--role", "Owner", "--scope", `/subscriptions/${sub}`],
    code: 2,
    says: /2 --role but 1 --scope/,
  },
  {
    name: "sandbox principal create --kube-namespace alone",
    args: (sb) => ["sandbox", "principal", "create", "p2", "--dir", sb, "--kube-namespace", "app"],
    code: 2,
    says: /--kube-namespace and --kube-role go together/,
  },
  {
    name: "sandbox principal create --kube-role admin",
    args: (sb) => ["sandbox", "principal", "create", "p3", "--dir", sb, "--kube-namespace", "app", "--kube-role", "admin"],
    code: 2,
    says: /argument 'admin' is invalid/,
  },
  {
    name: "sandbox principal create an unknown role",
    args: (sb) => ["sandbox", "principal", "create", "p4", "--dir", sb, "--role", "No Such Role"],
    code: 2,
    says: /No Such Role/,
  },
  {
    name: "sandbox principal create a bad scope",
    args: (sb) => ["sandbox", "principal", "create", "p5", "--dir", sb, "--role", "Reader", "--scope", "not-an-id"],
    code: 2,
    says: /scope/,
  },
  {
    name: "sandbox principal create --dir /proc/x",
    args: () => ["sandbox", "principal", "create", "p6", "--dir", "/proc/x"],
    code: 2,
    says: /is under \/proc/,
  },
  { name: "sandbox an unknown subcommand", args: () => ["sandbox", "explode"], code: 2, says: /unknown command 'explode'/ },
];

/** Every path under `root` (files and directories, recursively), to compare before and after. */
function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(e.isDirectory() ? `${r}/` : `${r} ${statSync(join(d, e.name)).size}`);
      if (e.isDirectory()) walk(join(d, e.name), r);
    }
  };
  walk(root, "");
  return out.sort();
}

const RAW_NODE =
  /\b(ENOENT|EISDIR|ENOTDIR|ECONNREFUSED|ECONNRESET|EACCES|EPERM|EEXIST)\b|Cannot read properties|must be of type|\bundefined\b|\[object Object\]/;

/** What one case did: its result, how long it took, and what it left behind. */
interface Outcome {
  r: CliResult;
  took: number;
  filesBefore: string[];
  filesAfter: string[];
  world: string;
}

async function runCase(c: Case): Promise<Outcome> {
  const cwd = tempDir("aks-wi-bad-");
  c.setup?.(cwd);
  const filesBefore = tree(cwd);
  const t0 = Date.now();
  const r = await runCli(c.args(sb.dir), { cwd, env: { HOME: cwd, XDG_STATE_HOME: join(cwd, ".state"), ...c.env } });
  return { r, took: Date.now() - t0, filesBefore, filesAfter: tree(cwd), world: writeFingerprint(sb.dir) };
}

// The CLI is a process of its own: run a few at a time (the slowest cases plan against the
// sandbox for seconds), each `it` then awaits its own case.
const PARALLEL = 6;
const outcomes = new Map<Case, Promise<Outcome>>();
beforeAll(() => {
  let running = 0;
  const waiting: (() => void)[] = [];
  const slot = async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= PARALLEL) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
  for (const c of CASES) {
    const o = slot(() => runCase(c));
    o.catch(() => {}); // reported by the case's own `it`
    outcomes.set(c, o);
  }
});

describe("bad input is one clean line and changes nothing", () => {
  it("has at least 100 cases", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(100);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const { r, took, filesBefore, filesAfter, world } = await outcomes.get(c)!;
      const all = `${r.stderr}${r.stdout}`;
      const show = `exit ${r.code} after ${took} ms\nstderr: ${r.stderr.slice(0, 600)}\nstdout: ${r.stdout.slice(0, 600)}`;
      expect(r.code, show).toBe(c.code);
      expect(all, show).toMatch(c.says);
      expect(all, show).not.toMatch(/\n\s+at /);
      expect(all, show).not.toMatch(RAW_NODE);
      const lines = r.stderr.split("\n").filter((l) => l.trim() !== "");
      if (c.quiet) expect(lines, show).toEqual([]);
      else {
        expect(
          lines.filter((l) => l.startsWith("error: ")),
          show,
        ).toHaveLength(1);
        expect(lines[0], show).toMatch(/^error: /);
        // the error, one line per problem it lists, its hint, and commander's "did you mean"
        for (const l of lines.slice(1)) expect(l, show).toMatch(/^ {2}- |^ {2}hint: |^\(Did you mean/);
        expect(lines.filter((l) => l.startsWith("  hint: ")).length, show).toBeLessThanOrEqual(1);
      }
      // values are echoed short
      for (const l of all.split("\n")) expect(l.length, show).toBeLessThanOrEqual(400);
      expect(took, show).toBeLessThan(20_000);
      expect(filesAfter, show).toEqual(filesBefore);
      expect(JSON.parse(world), show).toEqual(JSON.parse(before));
    });
  }
});

describe("paths under /proc", () => {
  it("fail within a second of the CLI's own start-up (Node's recursive mkdir would never return)", async () => {
    await Promise.allSettled(outcomes.values()); // alone on the machine's cores, not among the table's cases
    const cwd = tempDir("aks-wi-bad-");
    const timed = async (args: string[]) => {
      const t0 = Date.now();
      const r = await runCli(args, { cwd, env: { HOME: cwd } });
      return { r, ms: Date.now() - t0 };
    };
    const baseline = await timed(["init", "--sandbox", "--sandbox-dir", sb.dir, "--output", "xml"]);
    for (const args of [
      [...INIT(sb.dir), ...WORKLOAD, "--state", "/proc/x/state.json"],
      ["init", "--sandbox", "--sandbox-dir", "/proc/x", "--yes", ...WORKLOAD],
      ["verify", "--sandbox", "--sandbox-dir", sb.dir, "--state", "/proc/x/state.json"],
      ["sandbox", "start", "--dir", "/proc/x"],
    ]) {
      const { r, ms } = await timed(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/is under \/proc/);
      expect(ms - baseline.ms, `${args.join(" ")}: ${ms} ms, start-up ${baseline.ms} ms`).toBeLessThan(1000);
    }
    expect(tree(cwd)).toEqual([]);
  });
});
