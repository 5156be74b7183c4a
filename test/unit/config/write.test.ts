// `init --write-config`: a new file holds the cluster and the binding; an existing file keeps what
// it holds (comments too) and gains or replaces the binding; a file of another cluster is refused;
// what is written is always a file apply accepts.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/load.js";
import { configWithBinding, writeConfigFile, type BindingToWrite } from "../../../src/config/write.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const KV = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app`;
const dir = () => mkdtempSync(join(tmpdir(), "aks-wi-write-config-"));

function binding(over: Partial<BindingToWrite> = {}): BindingToWrite {
  return {
    cluster: { subscription: SUB, resourceGroup: "rg-aks", name: "aks-prod" },
    namespace: "app",
    serviceAccount: "sa-app",
    identity: { name: "id-app", resourceGroup: "rg-aks" },
    federatedCredential: "aks-wi-app-sa-app",
    roles: [{ role: "Key Vault Secrets User", scope: KV }],
    testPod: false,
    ...over,
  };
}

describe("configWithBinding", () => {
  it("a new file: the cluster and the binding, defaults left out, and apply reads back what init set up", async () => {
    const path = join(dir(), "aks-wi.yaml");
    const text = await configWithBinding(path, binding());
    expect(text).not.toMatch(/federatedCredential|testPod|resourceGroup: rg-aks\s*}/);
    const cfg = await parseConfig(path, text);
    expect(cfg.cluster).toEqual({ subscription: SUB, resourceGroup: "rg-aks", name: "aks-prod" });
    expect(cfg.bindings).toEqual([
      expect.objectContaining({
        namespace: "app",
        serviceAccount: "sa-app",
        identity: { name: "id-app", resourceGroup: "rg-aks" },
        federatedCredential: "aks-wi-app-sa-app",
        roles: [{ role: "Key Vault Secrets User", scope: KV }],
        testPod: false,
      }),
    ]);
  });

  it("an existing file keeps its comments and other bindings; the same binding is replaced, not repeated", async () => {
    const path = join(dir(), "aks-wi.yaml");
    writeFileSync(path, await configWithBinding(path, binding({ serviceAccount: "other", federatedCredential: "aks-wi-app-other", roles: [] })));
    writeFileSync(path, `# the team's bindings\n${readFileSync(path, "utf8")}`);
    writeFileSync(path, await configWithBinding(path, binding()));
    const again = await configWithBinding(
      path,
      binding({ federatedCredential: "custom-fc", testPod: true, identity: { name: "id-app", resourceGroup: "rg-ids" } }),
    );
    expect(again).toMatch(/^# the team's bindings$/m);
    const cfg = await parseConfig(path, again);
    expect(cfg.bindings.map((b) => b.serviceAccount)).toEqual(["other", "sa-app"]);
    expect(cfg.bindings[1]).toMatchObject({ federatedCredential: "custom-fc", testPod: true, identity: { resourceGroup: "rg-ids" } });
  });

  it("keeps the identity's subscription, location and tags when they were chosen", async () => {
    const path = join(dir(), "aks-wi.yaml");
    const other = "00000000-0000-0000-0000-000000000002";
    const text = await configWithBinding(
      path,
      binding({ identity: { name: "id-app", resourceGroup: "rg-aks", subscription: other, location: "westeurope", tags: { costCenter: "42" } } }),
    );
    expect((await parseConfig(path, text)).bindings[0]!.identity).toEqual({
      name: "id-app",
      resourceGroup: "rg-aks",
      subscription: other,
      location: "westeurope",
      tags: { costCenter: "42" },
    });
  });

  it("refuses a file of another cluster, and one apply would refuse, naming the file", async () => {
    const path = join(dir(), "aks-wi.yaml");
    writeFileSync(path, await configWithBinding(path, binding()));
    await expect(configWithBinding(path, binding({ cluster: { subscription: SUB, resourceGroup: "rg-aks", name: "aks-dev" } }))).rejects.toThrow(
      /describes cluster aks-prod in rg-aks, not aks-dev in rg-aks/,
    );
    writeFileSync(path, "apiVersion: aks-wi/v1\nkind: Nope\n");
    await expect(configWithBinding(path, binding())).rejects.toThrow(/aks-wi\.yaml:1: cluster: is required \(and 2 more\)/);
  });
});

describe("writeConfigFile", () => {
  it("writes atomically, leaving no temp file", async () => {
    const d = dir();
    const path = join(d, "aks-wi.yaml");
    await writeConfigFile(path, "x: 1\n");
    expect(readFileSync(path, "utf8")).toBe("x: 1\n");
    expect((await import("node:fs")).readdirSync(d)).toEqual(["aks-wi.yaml"]);
  });
});
