// The one place that knows how to reach an Azure cloud: endpoints, authority, ARM audience, CA
// and credential. The sandbox is one more profile here, never a branch in the steps.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";
import type { TokenCredential } from "@azure/identity";
import type { SandboxInfo } from "../../sandbox/info.js";
import { UserError } from "../core/errors.js";
import { assertRealPath, clip, fsError } from "../core/files.js";
import type { RetryListener } from "../core/retry.js";
import { parseBool, pidAlive } from "../core/util.js";
import { toAzureError } from "./errors.js";
import { proxyAgentPolicy } from "./proxy-policy.js";
import { retryingCredential } from "./retrying-credential.js";
import { checkTokenCredentials, chooseCloudName, cloudNamed, defaultSubscription, KNOWN_CLOUDS, validateTenant, type CloudName } from "./clouds.js";
import { signedInFrom, tellingCredential, type SignedIn } from "./sign-in.js";

export interface CloudProfile {
  /** The cloud's name as az names it (what the state file records), or "sandbox" for a sandbox
   *  that does not present itself as one of them. */
  name: CloudName | "sandbox";
  /** Where the cloud's choice came from ("--cloud", "az's current cloud", …). */
  origin?: string;
  /** ARM endpoint without trailing slash. */
  armEndpoint: string;
  /** Entra authority host without trailing slash. */
  authorityHost: string;
  /** Scope requested for ARM tokens. */
  armScope: string;
  /** Extra CA (PEM) to trust for every HTTPS call of this profile. */
  caPem?: string;
  /** Tenant to sign in to: --tenant or AZURE_TENANT_ID (the sandbox: its own). */
  tenantId?: string;
  /** Default subscription, when the profile knows one: AZURE_SUBSCRIPTION_ID, az's current one, the sandbox's. */
  subscriptionId?: string;
  /** Where subscriptionId came from, as the run says it ("AZURE_SUBSCRIPTION_ID", …). */
  subscriptionOrigin?: string;
  /** Defaults the profile suggests for inputs (sandbox: its seeded names). */
  defaults?: { resourceGroup?: string; cluster?: string };
  credential(): TokenCredential;
  /** Signs in for ARM and says as whom, from the token's claims. */
  whoAmI?(): Promise<SignedIn>;
  /** Receives each sign-in retry's progress line (the command sets it once it has a terminal). */
  onRetry?: RetryListener;
  /** Options every SDK client and credential of this profile must get. */
  clientOptions(): { endpoint: string; credentialScopes: string[]; tlsOptions?: { ca: string } };
}

export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

export interface SignInOptions {
  /** --cloud */
  cloud?: string;
  /** --tenant */
  tenant?: string;
}

/** The tenant to sign in to: --tenant, else AZURE_TENANT_ID; checked as Entra takes it. */
function chooseTenant(opts: SignInOptions, env: NodeJS.ProcessEnv): string | undefined {
  const given =
    opts.tenant !== undefined ? { v: opts.tenant, from: "--tenant" } : env.AZURE_TENANT_ID ? { v: env.AZURE_TENANT_ID, from: "AZURE_TENANT_ID" } : undefined;
  if (!given) return undefined;
  const reason = validateTenant(given.v);
  if (reason) throw new UserError(`${given.from} "${clip(given.v)}": ${reason}`, undefined, "usage");
  return given.v;
}

/** Says who a profile's credential signs in as (one ARM token, its claims read locally). */
async function whoAmI(profile: CloudProfile, via: () => string): Promise<SignedIn> {
  // The credential is already bound to the profile's tenant: no per-call tenant.
  let token;
  try {
    token = await profile.credential().getToken(profile.armScope);
  } catch (e) {
    throw toAzureError(e, "signing in to Azure");
  }
  return signedInFrom(token?.token ?? "", via());
}

/** One of Azure's clouds (AzureCloud by default): its endpoints, and DefaultAzureCredential signing
 *  in at its authority, in --tenant's tenant when given. */
export function publicCloud(opts: SignInOptions = {}, env: NodeJS.ProcessEnv = process.env): CloudProfile {
  const { name, origin } = chooseCloudName(opts, env);
  const tenantId = chooseTenant(opts, env);
  checkTokenCredentials(env);
  const known = KNOWN_CLOUDS[name];
  const sub = defaultSubscription(env, name);
  let cred: ReturnType<typeof retryingCredential> | undefined;
  return {
    name,
    origin,
    armEndpoint: known.armEndpoint,
    authorityHost: known.authorityHost,
    armScope: `${known.armEndpoint}/.default`,
    tenantId,
    subscriptionId: sub?.id,
    subscriptionOrigin: sub?.origin,
    credential() {
      // @azure/identity loads here, on first use; DefaultAzureCredential covers az login,
      // environment variables, workload identity in CI and managed identity (and honours
      // AZURE_TOKEN_CREDENTIALS, which narrows the chain to one credential or to dev/prod).
      const { DefaultAzureCredential } = requireIdentity();
      return (cred ??= retryingCredential(
        tellingCredential(
          new DefaultAzureCredential({
            authorityHost: known.authorityHost,
            ...(tenantId ? { tenantId } : {}),
            // HTTPS_PROXY / NO_PROXY as every other call of aks-wi reads them (src/core/proxy.ts).
            additionalPolicies: [{ policy: proxyAgentPolicy(), position: "perCall" }],
          }),
        ),
        () => this.onRetry,
      ));
    },
    whoAmI() {
      return whoAmI(this, () => (this.credential() as ReturnType<typeof retryingCredential>).via?.() ?? "DefaultAzureCredential");
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
export function sandboxCloud(dir: string, env: NodeJS.ProcessEnv = process.env, opts: SignInOptions = {}): CloudProfile {
  const info = readSandboxInfo(dir);
  // A sandbox started with --cloud presents itself as that cloud (its endpoints stay local): the
  // profile and the state carry that cloud's name, and another cloud asked for is a mistake.
  const presents = (info.cloud && cloudNamed(info.cloud)) || "sandbox";
  if (opts.cloud !== undefined || env.AKS_WI_CLOUD) {
    const asked = chooseCloudName(opts, env);
    if (asked.name !== presents)
      throw new UserError(
        `${asked.origin} ${asked.name}: the sandbox in ${clip(dir)} presents itself as ${presents === "sandbox" ? "no Azure cloud" : presents}`,
        `leave out --cloud (and AKS_WI_CLOUD), or restart the sandbox as that cloud: aks-wi sandbox stop && aks-wi sandbox start --cloud ${asked.name}`,
        "usage",
      );
  }
  const tenant = chooseTenant(opts, {});
  if (typeof info.pid === "number" && !pidAlive(info.pid)) {
    // A stale sandbox.json: say so, instead of letting every call fail as a sign-in problem.
    throw new UserError(
      `the sandbox in ${clip(dir)} is not running (its process ${info.pid} has exited)`,
      `start it again with \`aks-wi sandbox start --sandbox-dir ${clip(dir)}\` (its state is kept)`,
    );
  }
  let caPem: string;
  try {
    caPem = readFileSync(info.caFile, "utf8");
  } catch (e) {
    throw fsError(
      e,
      info.caFile,
      `the sandbox's CA certificate (named in ${join(dir, "sandbox.json")})`,
      `restart the sandbox: aks-wi sandbox stop --sandbox-dir ${clip(dir)} && aks-wi sandbox start --sandbox-dir ${clip(dir)}`,
    );
  }
  let cred: ReturnType<typeof retryingCredential> | undefined;
  const armScope = `${info.armAudience.replace(/\/$/, "")}/.default`;
  const sub = defaultSubscription(env, presents);
  const asPrincipal = !!(env.AZURE_CLIENT_ID && env.AZURE_CLIENT_SECRET);
  const tenantId = tenant ?? ((asPrincipal && env.AZURE_TENANT_ID) || info.tenantId);
  return {
    name: presents,
    origin: presents === "sandbox" ? undefined : "the sandbox's cloud",
    armEndpoint: info.armEndpoint,
    authorityHost: info.authorityHost,
    armScope,
    caPem,
    tenantId,
    subscriptionId: sub?.id ?? info.subscriptionId,
    subscriptionOrigin: sub?.origin,
    defaults: { resourceGroup: info.resourceGroup, cluster: info.clusterName },
    credential() {
      const { ClientSecretCredential } = requireIdentity();
      return (cred ??= retryingCredential(
        new ClientSecretCredential(tenantId, asPrincipal ? env.AZURE_CLIENT_ID! : info.clientId, asPrincipal ? env.AZURE_CLIENT_SECRET! : info.clientSecret, {
          authorityHost: info.authorityHost,
          disableInstanceDiscovery: true,
          tlsOptions: { ca: caPem },
          additionalPolicies: [{ policy: proxyAgentPolicy(caPem), position: "perCall" }],
        }),
        () => this.onRetry,
      ));
    },
    whoAmI() {
      return whoAmI(this, () => (asPrincipal ? "EnvironmentCredential's variables (sandbox)" : "the sandbox's operator secret"));
    },
    clientOptions() {
      return { endpoint: info.armEndpoint, credentialScopes: [armScope], tlsOptions: { ca: caPem } };
    },
  };
}

/** DIR/sandbox.json, checked to hold what the profile needs: one sentence for each way it can be wrong. */
function readSandboxInfo(dir: string): SandboxInfo {
  assertRealPath(dir, "the sandbox directory");
  const file = join(dir, "sandbox.json");
  const start = `start one with \`aks-wi sandbox start${dir === defaultSandboxDir() ? "" : ` --sandbox-dir ${clip(dir)}`}\` (or pass --sandbox-dir DIR)`;
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new UserError(`no sandbox found in ${clip(dir)}`, start);
    throw fsError(e, file, "sandbox file");
  }
  let info: Partial<SandboxInfo>;
  try {
    info = JSON.parse(text) as Partial<SandboxInfo>;
  } catch {
    throw new UserError(`${clip(file)} is not valid JSON: it is not a sandbox's`, start);
  }
  const needed = ["armEndpoint", "authorityHost", "tenantId", "subscriptionId", "caFile", "clientId", "clientSecret", "armAudience"] as const;
  const missing = info && typeof info === "object" ? needed.filter((k) => typeof info[k] !== "string" || info[k] === "") : needed;
  if (missing.length) throw new UserError(`${clip(file)} is not a running sandbox's (it lacks ${missing.join(", ")})`, start);
  return info as SandboxInfo;
}

/** An AKS_WI_* switch: only the documented spellings, anything else is a mistake to name. */
export function envSwitch(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = env[name];
  const b = parseBool(v);
  if (v !== undefined && v !== "" && b === undefined)
    throw new UserError(`${name} "${clip(v)}" is not a yes or no`, `set ${name} to one of true, false, 1, 0, yes, no, on, off (or unset it)`);
  return b;
}

/** The cloud a command talks to: the sandbox (--sandbox or AKS_WI_SANDBOX), else the Azure cloud of
 *  --cloud, AKS_WI_CLOUD or az's current cloud (AzureCloud when az has none). */
export function chooseProfile(opts: { sandbox?: boolean; sandboxDir?: string } & SignInOptions, env: NodeJS.ProcessEnv): CloudProfile {
  if (envSwitch(env, "AKS_WI_SANDBOX") || opts.sandbox) return sandboxCloud(opts.sandboxDir ?? defaultSandboxDir(env), env, opts);
  if (opts.sandboxDir) throw new UserError("--sandbox-dir needs --sandbox");
  return publicCloud(opts, env);
}

// @azure/identity is loaded on first use only, so that importing this module stays cheap.
const require = createRequire(import.meta.url);
function requireIdentity(): typeof import("@azure/identity") {
  return require("@azure/identity");
}
