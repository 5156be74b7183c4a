// The options commander hands each command (src/cli/register-*.ts declares them): which workload
// on which cluster, and how to reach Azure and the cluster. Only src/cli reads these types; the
// engines below take plain fields.
import type { InputFlags } from "../init/inputs.js";
import type { TargetFlags } from "../verify/target.js";

/** Where the state file is, how to reach the cloud and the cluster, and how to print. */
export interface ConnectionOptions {
  output?: string;
  state?: string;
  sandbox?: boolean;
  sandboxDir?: string;
  /** --cloud and --tenant (src/init/inputs.ts SIGN_IN_INPUTS). */
  cloud?: string;
  tenant?: string;
  kubeconfig?: string;
  context?: string;
  admin?: boolean;
}

export interface InitOptions extends InputFlags, ConnectionOptions {
  yes?: boolean;
  dryRun?: boolean;
  /** `aks-wi status`: plan only, report drift, never ask, lock or write. */
  status?: boolean;
  /** init: add (or replace) the binding in this config file after a successful apply. */
  writeConfig?: string;
}

export interface VerifyOptions extends TargetFlags, ConnectionOptions {
  /** Seconds to wait for a freshly written federated credential to propagate (default 60). */
  propagationTimeout?: string;
}
