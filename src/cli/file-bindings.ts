// The bindings of a config file as the commands that take `-f` (apply, status, delete) work on
// them: the file read and checked first (a bad file changes nothing and reads nothing), narrowed
// by --binding, each binding turned into the inputs init would resolve for it.
import { resolve } from "node:path";
import { UserError } from "../core/errors.js";
import { bindingOf } from "../core/workload-identity.js";
import { loadConfig, type BindingConfig, type WorkloadIdentityConfig } from "../config/load.js";
import { testPodNames } from "../init/discover.js";
import type { InitInputs } from "../init/state.js";
import { TEST_POD_IMAGE } from "../init/steps/test-pod.js";
import type { ConnectionOptions } from "./options.js";
import type { InitDeps, Session } from "./session.js";

export interface ApplyOptions extends ConnectionOptions {
  file: string;
  yes?: boolean;
  dryRun?: boolean;
  overwrite?: boolean;
  allowBroadScope?: boolean;
  testPodImage?: string;
  /** Only these bindings ("namespace/serviceAccount"); all when absent. */
  binding?: string[];
}

/** A binding's test pod: one per service account, so bindings sharing a namespace never share one. */
export const testPodNameFor = (serviceAccount: string): string => testPodNames(serviceAccount)[1]!;

/** The inputs init would resolve for one binding of the file: the file's roles are the whole desired set. */
export function bindingInputs(cfg: WorkloadIdentityConfig, b: BindingConfig, subscription: string, opts: ApplyOptions): InitInputs {
  return {
    subscription,
    resourceGroup: cfg.cluster.resourceGroup,
    cluster: cfg.cluster.name,
    identity: b.identity.name,
    identityResourceGroup: b.identity.resourceGroup,
    ...(b.identity.subscription ? { identitySubscription: b.identity.subscription } : {}),
    ...(b.identity.location ? { identityLocation: b.identity.location } : {}),
    tags: { ...b.identity.tags },
    namespace: b.namespace,
    serviceAccount: b.serviceAccount,
    federatedCredential: b.federatedCredential,
    roles: b.roles.map((r) => ({ ...r })),
    testPod: b.testPod,
    testPodName: testPodNameFor(b.serviceAccount),
    workloads: [...b.workloads],
    testPodImage: opts.testPodImage ?? TEST_POD_IMAGE,
    overwrite: !!opts.overwrite,
    allowBroadScope: !!opts.allowBroadScope,
    prune: true,
  };
}

/** The file's bindings, narrowed by --binding (each must name one of them). */
export function selectBindings(cfg: WorkloadIdentityConfig, wanted: string[] | undefined): BindingConfig[] {
  if (!wanted?.length) return cfg.bindings;
  const keys = new Set(cfg.bindings.map((b) => bindingOf(b.namespace, b.serviceAccount)));
  const unknown = wanted.filter((w) => !keys.has(w));
  if (unknown.length) {
    throw new UserError(
      `--binding ${unknown[0]} is not in ${cfg.path}`,
      `name one of its bindings as NAMESPACE/SERVICE_ACCOUNT: ${[...keys].slice(0, 5).join(", ")}${keys.size > 5 ? ", …" : ""}`,
    );
  }
  return cfg.bindings.filter((b) => wanted.includes(bindingOf(b.namespace, b.serviceAccount)));
}

/** The file, checked before anything is read from Azure or the cluster: a bad file changes nothing. */
export async function readConfigFile(opts: ApplyOptions, deps: InitDeps): Promise<WorkloadIdentityConfig> {
  if (!opts.file) throw new UserError("missing the config file", "pass -f aks-wi.yaml");
  return loadConfig(resolve(deps.cwd, opts.file));
}

/** The bindings to work on and the cluster's subscription (the file's, else the session's). */
export function narrowed(cfg: WorkloadIdentityConfig, opts: ApplyOptions, session: Session): { chosen: BindingConfig[]; subscription: string } {
  const chosen = selectBindings(cfg, opts.binding);
  const subscription = cfg.cluster.subscription ?? session.profile.subscriptionId;
  if (!subscription) {
    throw new UserError(
      `${cfg.path}: cluster.subscription is not set and the session has none`,
      "add cluster.subscription to the file, or set AZURE_SUBSCRIPTION_ID",
    );
  }
  return { chosen, subscription };
}
