// Resolves what to verify from the flags and the state file init wrote (flags win). Pure: the
// caller reads the state file and picks the cloud profile.
import { UserError } from "../core/errors.js";
import {
  validateClusterName,
  validateDeploymentName,
  validateIdentityName,
  validateNamespace,
  validatePodName,
  validateResourceGroup,
  validateServiceAccount,
  validateSubscription,
  type Validator,
} from "../core/names.js";
import type { RoleRequest } from "../core/ports.js";
import { clip } from "../core/util.js";
import type { VerifyTarget } from "./types.js";
import { secondsSetting } from "../core/seconds.js";

/** What the user named: which workload on which cluster, and which pod to look inside. */
export interface TargetFlags {
  subscription?: string;
  resourceGroup?: string;
  cluster?: string;
  namespace?: string;
  serviceAccount?: string;
  identity?: string;
  identityResourceGroup?: string;
  pod?: string;
  deployment?: string;
}

/** What verify reads of the state file init wrote (init's InitState has this shape, and more). */
export interface RecordedSetup {
  inputs: {
    subscription?: string;
    resourceGroup?: string;
    cluster?: string;
    namespace?: string;
    serviceAccount?: string;
    identity?: string;
    identityResourceGroup?: string;
    identitySubscription?: string;
    federatedCredential?: string;
    roles?: RoleRequest[];
  };
  outputs: {
    identity?: { id?: string; name: string; resourceGroup: string };
    federatedCredential?: { name: string };
    testPod?: { namespace: string; name: string };
  };
  steps: { federatedCredential?: { status: string; at: string; change?: string }; roleAssignment?: { status: string; at: string; change?: string } };
}

export function resolveTarget(
  opts: TargetFlags,
  state: RecordedSetup | undefined,
  defaults: { subscription?: string; resourceGroup?: string; cluster?: string },
): VerifyTarget {
  const si = state?.inputs ?? {};
  const so = state?.outputs ?? {};
  if (opts.pod && opts.deployment) throw new UserError("pass --pod or --deployment, not both");
  const subscription = opts.subscription ?? si.subscription ?? defaults.subscription;
  const resourceGroup = opts.resourceGroup ?? si.resourceGroup ?? defaults.resourceGroup;
  const cluster = opts.cluster ?? si.cluster ?? defaults.cluster;
  const namespace = opts.namespace ?? si.namespace;
  const serviceAccount = opts.serviceAccount ?? si.serviceAccount;
  const missing = Object.entries({
    "--subscription": subscription,
    "--resource-group": resourceGroup,
    "--cluster": cluster,
    "--namespace": namespace,
    "--service-account": serviceAccount,
  })
    .filter(([, v]) => !v)
    .map(([k]) => k);
  if (missing.length) {
    throw new UserError(
      `nothing to verify: missing ${missing.join(", ")}`,
      "pass --state FILE (written by aks-wi init), or --subscription --resource-group --cluster --namespace --service-account with --pod or --deployment",
    );
  }
  checkNames(opts, si);
  // The state describes one service account; its identity, roles and test pod apply only to it.
  const sameWorkload = !!state && si.namespace === namespace && si.serviceAccount === serviceAccount && (si.cluster ?? cluster) === cluster;
  const t: VerifyTarget = {
    subscription: subscription!,
    resourceGroup: resourceGroup!,
    cluster: cluster!,
    namespace: namespace!,
    serviceAccount: serviceAccount!,
  };
  if (opts.identity) {
    t.identity = { subscription: subscription!, resourceGroup: opts.identityResourceGroup ?? resourceGroup!, name: opts.identity };
  } else if (sameWorkload && (so.identity || si.identity)) {
    t.identity = {
      // init's --identity-subscription: the identity's own ID (or the saved input) names it.
      subscription: so.identity?.id?.split("/")[2] ?? si.identitySubscription ?? subscription!,
      resourceGroup: so.identity?.resourceGroup ?? si.identityResourceGroup ?? resourceGroup!,
      name: so.identity?.name ?? si.identity!,
    };
  }
  if (opts.pod) t.pod = opts.pod;
  else if (opts.deployment) t.deployment = opts.deployment;
  else if (sameWorkload && so.testPod && so.testPod.namespace === namespace) t.pod = so.testPod.name;
  if (sameWorkload) {
    if (si.roles?.length) t.roles = si.roles.map((r) => ({ role: r.role, scope: r.scope }));
    const fic = state!.steps.federatedCredential;
    const name = so.federatedCredential?.name ?? si.federatedCredential;
    if (name) t.federatedCredentialName = name;
    if (fic?.status === "done" && fic.change && fic.change !== "none") t.federatedCredentialWrittenAt = fic.at;
    const ra = state!.steps.roleAssignment;
    if (ra?.status === "done" && ra.change && ra.change !== "none") t.roleAssignedAt = ra.at;
  }
  return t;
}

/** Each name the user gave (a flag, or the state file init wrote) by the rules of the service that
 *  will receive it, as init checks them, before any call; the cloud profile's defaults are its own. */
function checkNames(opts: TargetFlags, saved: RecordedSetup["inputs"]): void {
  const rules: [keyof TargetFlags, string, Validator][] = [
    ["subscription", "--subscription", validateSubscription],
    ["resourceGroup", "--resource-group", validateResourceGroup],
    ["cluster", "--cluster", validateClusterName],
    ["namespace", "--namespace", validateNamespace],
    ["serviceAccount", "--service-account", validateServiceAccount],
    ["identity", "--identity", validateIdentityName],
    ["identityResourceGroup", "--identity-resource-group", validateResourceGroup],
    ["pod", "--pod", validatePodName],
    ["deployment", "--deployment", validateDeploymentName],
  ];
  const problems: string[] = [];
  for (const [key, flag, validate] of rules) {
    const value = opts[key] ?? (key in saved ? (saved as Record<string, string | undefined>)[key] : undefined);
    if (value === undefined) continue;
    const reason = validate(value);
    if (reason) problems.push(`${opts[key] !== undefined ? flag : "state file"} "${clip(value)}": ${reason}`);
  }
  if (problems.length) throw new UserError(`invalid input:\n${problems.map((p) => `  - ${p}`).join("\n")}`, "fix the values above; nothing was checked");
}

export function propagationBudgetMs(opts: { propagationTimeout?: string }, env: NodeJS.ProcessEnv): number {
  return seconds(opts.propagationTimeout ?? (env.AKS_WI_VERIFY_PROPAGATION_TIMEOUT || undefined), 60_000, "--propagation-timeout");
}

/** How long verify re-reads the workload's permissions for a recent role assignment (AKS_WI_VERIFY_ROLE_PROPAGATION_TIMEOUT, seconds). */
export function rolePropagationBudgetMs(env: NodeJS.ProcessEnv): number {
  return seconds(env.AKS_WI_VERIFY_ROLE_PROPAGATION_TIMEOUT || undefined, 120_000, "AKS_WI_VERIFY_ROLE_PROPAGATION_TIMEOUT");
}

function seconds(raw: string | undefined, defaultMs: number, name: string): number {
  return secondsSetting(raw, { name, defaultMs, example: "e.g. --propagation-timeout 120 (or AKS_WI_VERIFY_PROPAGATION_TIMEOUT=120)" });
}
