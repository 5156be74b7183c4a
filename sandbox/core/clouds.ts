// The Azure clouds the sandbox can present itself as (`aks-wi sandbox start --cloud NAME`): their
// names, ARM audience and DNS suffixes, as az's cloud.py has them (Azure/azure-cli
// src/azure-cli-core/azure/cli/core/cloud.py: AZURE_PUBLIC_CLOUD, AZURE_US_GOV_CLOUD,
// AZURE_CHINA_CLOUD). Only names and audiences change: every endpoint stays local. The product
// keeps its own table (src/azure/clouds.ts): the sandbox imports nothing of it.

export interface PresentedCloud {
  /** ARM's endpoint in that cloud, which is also its ARM token audience (no trailing slash). */
  arm: string;
  /** The management audience az asks for (active_directory_resource_id), with its trailing slash. */
  managementResource: string;
  suffixes: { keyVaultDns: string; storage: string };
}

export const PRESENTED_CLOUDS: Readonly<Record<string, PresentedCloud>> = {
  AzureCloud: {
    arm: "https://management.azure.com",
    managementResource: "https://management.core.windows.net/",
    suffixes: { keyVaultDns: "vault.azure.net", storage: "core.windows.net" },
  },
  AzureUSGovernment: {
    arm: "https://management.usgovcloudapi.net",
    managementResource: "https://management.core.usgovcloudapi.net/",
    suffixes: { keyVaultDns: "vault.usgovcloudapi.net", storage: "core.usgovcloudapi.net" },
  },
  AzureChinaCloud: {
    arm: "https://management.chinacloudapi.cn",
    managementResource: "https://management.core.chinacloudapi.cn/",
    suffixes: { keyVaultDns: "vault.azure.cn", storage: "core.chinacloudapi.cn" },
  },
};

/** The cloud of that name (as az spells it, any case), or undefined. */
export function presentedCloud(name: string | undefined): { name: string; cloud: PresentedCloud } | undefined {
  const key = Object.keys(PRESENTED_CLOUDS).find((k) => k.toLowerCase() === (name ?? "").toLowerCase());
  return key ? { name: key, cloud: PRESENTED_CLOUDS[key]! } : undefined;
}
