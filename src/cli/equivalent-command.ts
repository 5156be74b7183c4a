// The non-interactive command a wizard run amounts to: every input the run resolved as a flag
// (defaults that would come out the same left out), the connection flags the run was given, and
// --yes, each shell-quoted so the line pastes back into sh, bash or zsh as it is printed. It holds
// names and resource IDs only: no token or secret is ever an input.
import { defaultFederatedCredentialName } from "../core/workload-identity.js";
import type { InitInputs } from "../init/state.js";
import { TEST_POD_IMAGE } from "../init/steps/test-pod.js";
import type { InitOptions } from "./options.js";

/** A word as POSIX sh reads it back: bare when it has nothing special, else single-quoted. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** `aks-wi init … --yes` for the inputs this run resolved, as words. */
export function equivalentInitArgs(opts: InitOptions, i: InitInputs): string[] {
  const args: string[] = ["init"];
  const add = (flag: string, value: string | undefined) => value !== undefined && value !== "" && args.push(flag, value);
  // How this run reached the cloud and the cluster: the same flags, or the repeat goes elsewhere.
  if (opts.sandbox) args.push("--sandbox");
  add("--sandbox-dir", opts.sandboxDir);
  add("--cloud", opts.cloud);
  add("--tenant", opts.tenant);
  add("--kubeconfig", opts.kubeconfig);
  add("--context", opts.context);
  if (opts.admin) args.push("--admin");
  add("--state", opts.state);
  add("--subscription", i.subscription);
  add("-g", i.resourceGroup);
  add("--cluster", i.cluster);
  if (i.identitySubscription && i.identitySubscription !== i.subscription) add("--identity-subscription", i.identitySubscription);
  if (i.identityResourceGroup !== i.resourceGroup) add("--identity-resource-group", i.identityResourceGroup);
  add("--identity", i.identity);
  add("--identity-location", i.identityLocation);
  for (const [k, v] of Object.entries(i.tags ?? {})) add("--tags", `${k}=${v}`);
  add("--namespace", i.namespace);
  add("--service-account", i.serviceAccount);
  if (i.federatedCredential !== defaultFederatedCredentialName(i.namespace, i.serviceAccount)) add("--federated-credential", i.federatedCredential);
  for (const r of i.roles) args.push("--role", r.role, "--scope", r.scope);
  if (!i.testPod) args.push("--no-test-pod");
  if (i.testPodImage && i.testPodImage !== TEST_POD_IMAGE) add("--test-pod-image", i.testPodImage);
  for (const w of i.workloads ?? []) add("--workload", w);
  if (i.overwrite) args.push("--overwrite");
  if (i.allowBroadScope) args.push("--allow-broad-scope");
  if (opts.output && opts.output !== "text") add("-o", opts.output);
  args.push("--yes");
  return args;
}

/** The lines printed after a wizard run (and after one that failed past its questions). */
export function equivalentCommandLines(opts: InitOptions, i: InitInputs): string[] {
  // The test pod's name has no flag, only its variable.
  const env = i.testPodName && i.testPodName !== "aks-wi-test" ? `AKS_WI_TEST_POD_NAME=${shellQuote(i.testPodName)} ` : "";
  const lines = ["To run this again without questions (in a script or CI):", `  ${env}aks-wi ${equivalentInitArgs(opts, i).map(shellQuote).join(" ")}`];
  if (!opts.writeConfig) lines.push("  or add --write-config aks-wi.yaml to keep this binding in a file for aks-wi apply -f aks-wi.yaml");
  return lines;
}
