// Which cloud and which subscription a run uses when the user names none: what az's own files
// say (a temp AZURE_CONFIG_DIR stands in for ~/.azure), each choice saying where it came from.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chooseProfile, publicCloud } from "../../../src/azure/cloud.js";
import { azCurrentCloudName, chooseCloudName, defaultSubscription, KNOWN_CLOUDS, validateTenant } from "../../../src/azure/clouds.js";
import { UserError } from "../../../src/core/errors.js";
import { SIGN_IN_INPUTS } from "../../../src/init/inputs.js";

const SUB_A = "11111111-1111-1111-1111-111111111111";
const SUB_B = "22222222-2222-2222-2222-222222222222";

/** A temp az configuration directory: `config` with [cloud] name, and azureProfile.json (with az's BOM). */
function azDir(cloud: string | undefined, subs: unknown[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-az-"));
  if (cloud) writeFileSync(join(dir, "config"), `[core]\noutput = json\n\n[cloud]\nname = ${cloud}\n`);
  writeFileSync(join(dir, "azureProfile.json"), `\uFEFF${JSON.stringify({ installationId: "x", subscriptions: subs })}`);
  return dir;
}

function thrown(f: () => unknown): UserError {
  try {
    f();
  } catch (e) {
    return e as UserError;
  }
  throw new Error("did not throw");
}

describe("the cloud", () => {
  it("--cloud over AKS_WI_CLOUD over az's current cloud over AzureCloud, each saying so", () => {
    const env = { AZURE_CONFIG_DIR: azDir("AzureChinaCloud") };
    expect(chooseCloudName({ cloud: "azureusgovernment" }, { ...env, AKS_WI_CLOUD: "AzureCloud" })).toEqual({ name: "AzureUSGovernment", origin: "--cloud" });
    expect(chooseCloudName({}, { ...env, AKS_WI_CLOUD: "AzureCloud" })).toEqual({ name: "AzureCloud", origin: "AKS_WI_CLOUD" });
    expect(chooseCloudName({}, env)).toEqual({ name: "AzureChinaCloud", origin: "az's current cloud" });
    expect(chooseCloudName({}, { AZURE_CONFIG_DIR: azDir(undefined) })).toEqual({ name: "AzureCloud", origin: "the default" });
  });

  it("maps each cloud's ARM endpoint, scope and authority (az's cloud.py, @azure/identity's AzureAuthorityHosts)", () => {
    const env = { AZURE_CONFIG_DIR: azDir(undefined) };
    const gov = publicCloud({ cloud: "AzureUSGovernment" }, env);
    expect([gov.name, gov.armEndpoint, gov.armScope, gov.authorityHost]).toEqual([
      "AzureUSGovernment",
      "https://management.usgovcloudapi.net",
      "https://management.usgovcloudapi.net/.default",
      "https://login.microsoftonline.us",
    ]);
    expect(gov.clientOptions()).toEqual({
      endpoint: "https://management.usgovcloudapi.net",
      credentialScopes: ["https://management.usgovcloudapi.net/.default"],
    });
    const cn = publicCloud({ cloud: "AzureChinaCloud" }, env);
    expect([cn.armEndpoint, cn.authorityHost]).toEqual(["https://management.chinacloudapi.cn", "https://login.chinacloudapi.cn"]);
    expect(publicCloud({}, env).armScope).toBe("https://management.azure.com/.default");
    expect(Object.keys(KNOWN_CLOUDS)).toEqual(["AzureCloud", "AzureUSGovernment", "AzureChinaCloud"]);
  });

  it("--cloud's help (the option table) names every cloud the profile knows", () => {
    const help = SIGN_IN_INPUTS.find((o) => o.key === "cloud")!.help;
    for (const name of Object.keys(KNOWN_CLOUDS)) expect(help).toContain(name);
    expect(SIGN_IN_INPUTS.map((o) => [o.flags, o.env])).toEqual([
      ["--cloud <name>", "AKS_WI_CLOUD"],
      ["--tenant <id|domain>", "AZURE_TENANT_ID"],
    ]);
  });

  it("an unknown --cloud or AKS_WI_CLOUD is a one-line usage error naming the choices", () => {
    const e = thrown(() => chooseProfile({ cloud: "AzureGermanCloud" }, {}));
    expect([e.kind, e.message]).toEqual([
      "usage",
      '--cloud "AzureGermanCloud": cloud must be one of AzureCloud, AzureUSGovernment, AzureChinaCloud (as az cloud list names them)',
    ]);
    expect(thrown(() => chooseProfile({}, { AKS_WI_CLOUD: "mars" })).message).toMatch(/^AKS_WI_CLOUD "mars": cloud must be one of/);
  });

  it("az's current cloud that aks-wi does not know (a registered one) is a usage error, not the public cloud", () => {
    const dir = azDir("AksWiSandbox");
    expect(azCurrentCloudName({ AZURE_CONFIG_DIR: dir })?.name).toBe("AksWiSandbox");
    const e = thrown(() => chooseProfile({}, { AZURE_CONFIG_DIR: dir }));
    expect(e.kind).toBe("usage");
    expect(e.message).toContain(`az's current cloud is "AksWiSandbox"`);
    expect(e.suggestion).toContain("--cloud AzureCloud|AzureUSGovernment|AzureChinaCloud");
  });
});

describe("the tenant", () => {
  it("--tenant over AZURE_TENANT_ID; a bad one is a usage error", () => {
    const env = { AZURE_CONFIG_DIR: azDir(undefined), AZURE_TENANT_ID: "contoso.onmicrosoft.com" };
    expect(publicCloud({ tenant: SUB_A }, env).tenantId).toBe(SUB_A);
    expect(publicCloud({}, env).tenantId).toBe("contoso.onmicrosoft.com");
    expect(validateTenant("not a tenant")).toMatch(/tenant must be a tenant ID/);
    expect(thrown(() => publicCloud({ tenant: "a b" }, env)).message).toBe(
      '--tenant "a b": tenant must be a tenant ID (a GUID) or one of its domain names, such as contoso.onmicrosoft.com',
    );
  });
});

describe("AZURE_TOKEN_CREDENTIALS", () => {
  it("what @azure/identity takes passes (any case); anything else is a usage error before the SDK would throw", () => {
    const env = { AZURE_CONFIG_DIR: azDir(undefined) };
    expect(() => publicCloud({}, { ...env, AZURE_TOKEN_CREDENTIALS: "azureclicredential" })).not.toThrow();
    expect(() => publicCloud({}, { ...env, AZURE_TOKEN_CREDENTIALS: "dev" })).not.toThrow();
    const e = thrown(() => publicCloud({}, { ...env, AZURE_TOKEN_CREDENTIALS: "AzCli" }));
    expect([e.kind, e.message]).toEqual([
      "usage",
      'AZURE_TOKEN_CREDENTIALS "AzCli": must be dev, prod or one of EnvironmentCredential, WorkloadIdentityCredential, ManagedIdentityCredential, VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential, AzureDeveloperCliCredential',
    ]);
  });
});

describe("the default subscription", () => {
  const subs = [
    { id: SUB_A, name: "gov", isDefault: true, environmentName: "AzureUSGovernment" },
    { id: SUB_B, name: "dev", isDefault: true, environmentName: "AzureCloud" },
  ];

  it("AZURE_SUBSCRIPTION_ID, else az's current subscription of the same cloud, else none", () => {
    const dir = azDir(undefined, subs);
    expect(defaultSubscription({ AZURE_CONFIG_DIR: dir, AZURE_SUBSCRIPTION_ID: SUB_A }, "AzureCloud")).toEqual({ id: SUB_A, origin: "AZURE_SUBSCRIPTION_ID" });
    expect(defaultSubscription({ AZURE_CONFIG_DIR: dir }, "AzureCloud")).toEqual({
      id: SUB_B,
      name: "dev",
      origin: `az's current subscription (${join(dir, "azureProfile.json")})`,
    });
    expect(defaultSubscription({ AZURE_CONFIG_DIR: dir }, "AzureUSGovernment")?.id).toBe(SUB_A);
    expect(defaultSubscription({ AZURE_CONFIG_DIR: dir }, "AzureChinaCloud")).toBeUndefined();
    expect(defaultSubscription({ AZURE_CONFIG_DIR: azDir(undefined) }, "AzureCloud")).toBeUndefined();
  });

  it("the profile carries it, with where it came from", () => {
    const p = publicCloud({}, { AZURE_CONFIG_DIR: azDir("AzureUSGovernment", subs) });
    expect([p.name, p.origin, p.subscriptionId]).toEqual(["AzureUSGovernment", "az's current cloud", SUB_A]);
    expect(p.subscriptionOrigin).toMatch(/^az's current subscription \(.*azureProfile\.json\)$/);
  });

  it("a file az is writing (not JSON) is as if az had not signed in", () => {
    const dir = azDir(undefined);
    writeFileSync(join(dir, "azureProfile.json"), "{");
    expect(defaultSubscription({ AZURE_CONFIG_DIR: dir }, "AzureCloud")).toBeUndefined();
  });
});
