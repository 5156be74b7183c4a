// The one place that knows how to reach an Azure cloud: endpoints, authority, ARM audience, CA
// and credential. The sandbox is one more profile here, never a branch in the steps.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/identity";
import type { SandboxInfo } from "../../sandbox/info.js";
import { UserError } from "../core/errors.js";
import { parseBool, pidAlive } from "../core/util.js";

export interface CloudProfile {
  name: "AzureCloud" | "sandbox";
  /** ARM endpoint without trailing slash. */
  armEndpoint: string;
  /** Entra authority host without trailing slash. */
  authorityHost: string;
  /** Scope requested for ARM tokens. */
  armScope: string;
  /** Extra CA (PEM) to trust for every HTTPS call of this profile. */
  caPem?: string;
  /** Tenant to authenticate in, when known (sandbox). */
  tenantId?: string;
  /** Default subscription, when the profile knows one (sandbox). */
  subscriptionId?: string;
  /** Defaults the profile suggests for inputs (sandbox: its seeded names). */
  defaults?: { resourceGroup?: string; cluster?: string };
  credential(): TokenCredential;
  /** Options every SDK client and credential of this profile must get. */
  clientOptions(): { endpoint: string; credentialScopes: string[]; tlsOptions?: { ca: string } };
}

export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export function publicCloud(): CloudProfile {
  let cred: TokenCredential | undefined;
  return {
    name: "AzureCloud",
    armEndpoint: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
    armScope: "https://management.azure.com/.default",
    credential() {
      // @azure/identity loads here, on first use; DefaultAzureCredential covers az login,
      // environment variables, workload identity in CI and managed identity.
      return (cred ??= new (requireIdentity().DefaultAzureCredential)());
    },
    clientOptions() {
      return { endpoint: this.armEndpoint, credentialScopes: [this.armScope] };
    },
  };
}

/** Default directory of the local sandbox: under the user's state directory. */
export function defaultSandboxDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AKS_WI_SANDBOX_DIR) return env.AKS_WI_SANDBOX_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), ".local", "state");
  return join(base, "aks-wi", "sandbox");
}

/** The sandbox profile: reads DIR/sandbox.json written by `aks-wi sandbox start`. Signs in as the
 *  sandbox's operator, or, when AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are set (AZURE_TENANT_ID
 *  optional), as that service principal, as EnvironmentCredential does on Azure: so a principal
 *  from `aks-wi sandbox principal create` runs aks-wi with exactly its roles. */
export function sandboxCloud(dir: string, env: NodeJS.ProcessEnv = process.env): CloudProfile {
  let info: SandboxInfo;
  try {
    info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")) as SandboxInfo;
  } catch {
    throw new UserError(`no sandbox found in ${dir}`, "start one with `aks-wi sandbox start` (or pass --sandbox-dir DIR)");
  }
  if (typeof info.pid === "number" && !pidAlive(info.pid)) {
    // A stale sandbox.json: say so, instead of letting every call fail as a sign-in problem.
    throw new UserError(`the sandbox in ${dir} is not running (its process ${info.pid} has exited)`, `start it again with \`aks-wi sandbox start --sandbox-dir ${dir}\` (its state is kept)`);
  }
  const caPem = readFileSync(info.caFile, "utf8");
  let cred: TokenCredential | undefined;
  const armScope = `${info.armAudience.replace(/\/$/, "")}/.default`;
  return {
    name: "sandbox",
    armEndpoint: info.armEndpoint,
    authorityHost: info.authorityHost,
    armScope,
    caPem,
    tenantId: info.tenantId,
    subscriptionId: info.subscriptionId,
    defaults: { resourceGroup: info.resourceGroup, cluster: info.clusterName },
    credential() {
      const { ClientSecretCredential } = requireIdentity();
      const asPrincipal = !!(env.AZURE_CLIENT_ID && env.AZURE_CLIENT_SECRET);
      return (cred ??= new ClientSecretCredential(
        (asPrincipal && env.AZURE_TENANT_ID) || info.tenantId,
        asPrincipal ? env.AZURE_CLIENT_ID! : info.clientId,
        asPrincipal ? env.AZURE_CLIENT_SECRET! : info.clientSecret,
        { authorityHost: info.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: caPem } },
      ));
    },
    clientOptions() {
      return { endpoint: info.armEndpoint, credentialScopes: [armScope], tlsOptions: { ca: caPem } };
    },
  };
}

/** The cloud a command talks to: the sandbox (--sandbox or AKS_WI_SANDBOX), else Azure's public cloud. */
export function chooseProfile(opts: { sandbox?: boolean; sandboxDir?: string }, env: NodeJS.ProcessEnv): CloudProfile {
  if (opts.sandbox || parseBool(env.AKS_WI_SANDBOX)) return sandboxCloud(opts.sandboxDir ?? defaultSandboxDir(env), env);
  if (opts.sandboxDir) throw new UserError("--sandbox-dir needs --sandbox");
  return publicCloud();
}

// @azure/identity is loaded on first use only, so that importing this module stays cheap.
const require = createRequire(import.meta.url);
function requireIdentity(): typeof import("@azure/identity") {
  return require("@azure/identity");
}
