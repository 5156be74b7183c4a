// The Azure clouds aks-wi knows by name, as az names them, and what az's own files say is current
// (the cloud of `az cloud set`, the subscription of `az account set`). No SDK import: the option
// table (src/init/inputs.ts) and `--help` read this module.
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { UserError } from "../core/errors.js";
import { clip } from "../core/files.js";

export type CloudName = "AzureCloud" | "AzureUSGovernment" | "AzureChinaCloud";

export interface KnownCloud {
  /** ARM endpoint, without trailing slash. */
  armEndpoint: string;
  /** Entra authority host, without trailing slash. */
  authorityHost: string;
  /** DNS suffixes the sandbox's /metadata/endpoints names when it presents itself as this cloud. */
  suffixes: { keyVaultDns: string; storage: string };
}

// The values of az's AZURE_PUBLIC_CLOUD, AZURE_US_GOV_CLOUD and AZURE_CHINA_CLOUD
// (Azure/azure-cli src/azure-cli-core/azure/cli/core/cloud.py: endpoints.resource_manager and
// active_directory), which are also @azure/identity's AzureAuthorityHosts (AzurePublicCloud,
// AzureGovernment, AzureChina). The ARM token scope is `${armEndpoint}/.default`, as the SDK's
// ARM clients ask by default and as Azure's sovereign-cloud samples set credentialScopes.
export const KNOWN_CLOUDS: Readonly<Record<CloudName, KnownCloud>> = {
  AzureCloud: {
    armEndpoint: "https://management.azure.com",
    authorityHost: "https://login.microsoftonline.com",
    suffixes: { keyVaultDns: "vault.azure.net", storage: "core.windows.net" },
  },
  AzureUSGovernment: {
    armEndpoint: "https://management.usgovcloudapi.net",
    authorityHost: "https://login.microsoftonline.us",
    suffixes: { keyVaultDns: "vault.usgovcloudapi.net", storage: "core.usgovcloudapi.net" },
  },
  AzureChinaCloud: {
    armEndpoint: "https://management.chinacloudapi.cn",
    authorityHost: "https://login.chinacloudapi.cn",
    suffixes: { keyVaultDns: "vault.azure.cn", storage: "core.chinacloudapi.cn" },
  },
};

export const CLOUD_NAMES = Object.keys(KNOWN_CLOUDS) as CloudName[];

/** The cloud of that name, spelled as az spells it (any case); undefined when aks-wi does not know it. */
export function cloudNamed(v: string): CloudName | undefined {
  return CLOUD_NAMES.find((n) => n.toLowerCase() === v.trim().toLowerCase());
}

/** --cloud's value checked: the one-line usage error names the three choices. */
export const validateCloud = (v: string): string | undefined =>
  cloudNamed(v) ? undefined : `cloud must be one of ${CLOUD_NAMES.join(", ")} (as az cloud list names them)`;

/** A tenant as Entra takes it: its ID, or one of its domain names (contoso.onmicrosoft.com). */
export const validateTenant = (v: string): string | undefined =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v) ||
  (/^(?=.{3,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i.test(v) && !v.includes(".."))
    ? undefined
    : "tenant must be a tenant ID (a GUID) or one of its domain names, such as contoso.onmicrosoft.com";

/** az's configuration directory: AZURE_CONFIG_DIR, else ~/.azure (what az itself reads). */
export function azConfigDir(env: NodeJS.ProcessEnv): string {
  return env.AZURE_CONFIG_DIR || join(env.HOME || homedir(), ".azure");
}

function readText(file: string): string | undefined {
  try {
    // az writes its JSON files with a byte-order mark (utf-8-sig)
    return readFileSync(file, "utf8").replace(/^\uFEFF/, "");
  } catch {
    return undefined;
  }
}

/** az's current cloud: `[cloud] name` of $AZURE_CONFIG_DIR/config (what `az cloud set` writes). */
export function azCurrentCloudName(env: NodeJS.ProcessEnv): { name: string; file: string } | undefined {
  const file = join(azConfigDir(env), "config");
  const text = readText(file);
  if (text === undefined) return undefined;
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1]!.trim().toLowerCase();
    const kv = /^name\s*[=:]\s*(.+)$/.exec(line);
    if (section === "cloud" && kv) return { name: kv[1]!.trim(), file };
  }
  return undefined;
}

export interface AzSubscription {
  id: string;
  name: string;
  tenantId?: string;
  environmentName?: string;
  isDefault?: boolean;
}

/** az's signed-in subscriptions ($AZURE_CONFIG_DIR/azureProfile.json); none when az never signed in. */
export function azSubscriptions(env: NodeJS.ProcessEnv): { subscriptions: AzSubscription[]; file: string } {
  const file = join(azConfigDir(env), "azureProfile.json");
  const text = readText(file);
  let doc: { subscriptions?: unknown } | undefined;
  try {
    doc = text ? (JSON.parse(text) as { subscriptions?: unknown }) : undefined;
  } catch {
    doc = undefined; // a file az is writing, or not az's: as if az had not signed in
  }
  const subs = Array.isArray(doc?.subscriptions) ? (doc!.subscriptions as AzSubscription[]) : [];
  return { subscriptions: subs.filter((s) => s && typeof s.id === "string" && s.id !== ""), file };
}

/** az's current subscription in `cloud`: the isDefault entry of that cloud (az keeps one per cloud). */
export function azCurrentSubscription(env: NodeJS.ProcessEnv, cloud: string): { subscription: AzSubscription; file: string } | undefined {
  const { subscriptions, file } = azSubscriptions(env);
  const here = subscriptions.filter((s) => s.isDefault && (s.environmentName ?? "AzureCloud").toLowerCase() === cloud.toLowerCase());
  return here.length === 1 ? { subscription: here[0]!, file } : undefined;
}

/** Which cloud, and why: --cloud, AKS_WI_CLOUD, az's current cloud, else AzureCloud. An unknown
 *  name is a usage error, before anything is read. */
export function chooseCloudName(opts: { cloud?: string }, env: NodeJS.ProcessEnv): { name: CloudName; origin: string } {
  const given = opts.cloud !== undefined ? { v: opts.cloud, from: "--cloud" } : env.AKS_WI_CLOUD ? { v: env.AKS_WI_CLOUD, from: "AKS_WI_CLOUD" } : undefined;
  if (given) {
    const name = cloudNamed(given.v);
    if (!name) throw new UserError(`${given.from} "${clip(given.v)}": ${validateCloud(given.v)}`, undefined, "usage");
    return { name, origin: given.from };
  }
  const az = azCurrentCloudName(env);
  if (az) {
    const name = cloudNamed(az.name);
    if (!name)
      throw new UserError(
        `az's current cloud is "${clip(az.name)}" (${clip(az.file)}), which aks-wi does not know`,
        `pass --cloud ${CLOUD_NAMES.join("|")} (or AKS_WI_CLOUD), or switch az with az cloud set -n AzureCloud; for the local sandbox pass --sandbox`,
        "usage",
      );
    return { name, origin: "az's current cloud" };
  }
  return { name: "AzureCloud", origin: "the default" };
}

/** The default subscription of a cloud, and why: AZURE_SUBSCRIPTION_ID, else az's current one there. */
export function defaultSubscription(env: NodeJS.ProcessEnv, cloud: string): { id: string; name?: string; origin: string } | undefined {
  if (env.AZURE_SUBSCRIPTION_ID) return { id: env.AZURE_SUBSCRIPTION_ID, origin: "AZURE_SUBSCRIPTION_ID" };
  const az = azCurrentSubscription(env, cloud);
  if (az) return { id: az.subscription.id, name: az.subscription.name, origin: `az's current subscription (${az.file})` };
  return undefined;
}

// What @azure/identity 4.13.1 takes in AZURE_TOKEN_CREDENTIALS (defaultAzureCredential.js: "dev",
// "prod", or one credential's name, any case; single names since 4.11.0). The SDK throws on any
// other value when the credential is made: checked here first, as a usage error.
const TOKEN_CREDENTIALS = [
  "dev",
  "prod",
  "EnvironmentCredential",
  "WorkloadIdentityCredential",
  "ManagedIdentityCredential",
  "VisualStudioCodeCredential",
  "AzureCliCredential",
  "AzurePowerShellCredential",
  "AzureDeveloperCliCredential",
];

export function checkTokenCredentials(env: NodeJS.ProcessEnv): void {
  const v = env.AZURE_TOKEN_CREDENTIALS;
  if (!v || TOKEN_CREDENTIALS.some((n) => n.toLowerCase() === v.trim().toLowerCase())) return;
  throw new UserError(`AZURE_TOKEN_CREDENTIALS "${clip(v)}": must be dev, prod or one of ${TOKEN_CREDENTIALS.slice(2).join(", ")}`, "fix or unset it", "usage");
}
