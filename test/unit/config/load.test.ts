// The config file for many bindings: a good file gives typed bindings with their defaults; every
// bad one is one error naming the file, the line and the field (a usage error: exit 2).
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../../src/config/load.js";

const SUB = "00000000-0000-0000-0000-000000000001";
const KV = `/subscriptions/${SUB}/resourceGroups/rg-app/providers/Microsoft.KeyVault/vaults/kv-app`;

const GOOD = `apiVersion: aks-wi/v1
kind: WorkloadIdentityConfig
cluster: { subscription: ${SUB}, resourceGroup: rg-aks, name: aks-prod }
bindings:
  - namespace: payments
    serviceAccount: payments-api
    identity: { name: id-payments, resourceGroup: rg-ids }
    roles:
      - { role: Key Vault Secrets User, scope: ${KV} }
    workloads: [deployment/payments-api]
  - namespace: payments
    serviceAccount: payments-worker
    identity: { name: id-payments, resourceGroup: rg-ids }
    federatedCredential: worker
  - namespace: web
    serviceAccount: web
    identity: { name: id-web }
    testPod: true
`;

async function error(text: string): Promise<ConfigError> {
  return parseConfig("aks-wi.yaml", text).then(
    () => {
      throw new Error("expected a ConfigError");
    },
    (e: ConfigError) => e,
  );
}

describe("parseConfig", () => {
  it("reads a file of three bindings, two sharing one identity, with the defaults filled in", async () => {
    const c = await parseConfig("aks-wi.yaml", GOOD);
    expect(c.cluster).toEqual({ subscription: SUB, resourceGroup: "rg-aks", name: "aks-prod" });
    expect(c.bindings.map((b) => [b.namespace, b.serviceAccount, b.identity, b.federatedCredential, b.testPod, b.line])).toEqual([
      ["payments", "payments-api", { name: "id-payments", resourceGroup: "rg-ids" }, "aks-wi-payments-payments-api", false, 5],
      ["payments", "payments-worker", { name: "id-payments", resourceGroup: "rg-ids" }, "worker", false, 11],
      ["web", "web", { name: "id-web", resourceGroup: "rg-aks" }, "aks-wi-web-web", true, 15],
    ]);
    expect(c.bindings[0]!.roles).toEqual([{ role: "Key Vault Secrets User", scope: KV }]);
    expect(c.bindings[0]!.workloads).toEqual(["deployment/payments-api"]);
  });

  it.each([
    ["a YAML syntax error", GOOD.replace("  - namespace: web", "  - namespace: [web"), /^aks-wi\.yaml:1[5-9]: YAML: /],
    ["the wrong apiVersion", GOOD.replace("aks-wi/v1", "aks-wi/v2"), /^aks-wi\.yaml:1: apiVersion: must be "aks-wi\/v1"$/],
    [
      "an unknown field, at its own line",
      GOOD.replace("    testPod: true", "    testpod: true"),
      /^aks-wi\.yaml:18: bindings\[2\]\.testpod: unknown field "testpod" \(fields here: namespace, serviceAccount, identity, federatedCredential, roles, workloads, testPod\)$/,
    ],
    ["a wrong type", GOOD.replace("    testPod: true", "    testPod: yes please"), /^aks-wi\.yaml:18: bindings\[2\]\.testPod: must be a boolean$/],
    [
      "a role without a scope",
      GOOD.replace(`      - { role: Key Vault Secrets User, scope: ${KV} }`, "      - { role: Key Vault Secrets User }"),
      /^aks-wi\.yaml:9: bindings\[0\]\.roles\[0\]\.scope: is required$/,
    ],
    ["a missing identity", GOOD.replace("    identity: { name: id-web }\n", ""), /^aks-wi\.yaml:15: bindings\[2\]\.identity: is required$/],
    ["no bindings", GOOD.slice(0, GOOD.indexOf("bindings:")) + "bindings: []\n", /^aks-wi\.yaml:4: bindings: must list at least 1$/],
    [
      "a duplicate binding",
      GOOD.replace("serviceAccount: payments-worker", "serviceAccount: payments-api"),
      /^aks-wi\.yaml:11: bindings\[1\]: duplicate binding payments\/payments-api \(also bindings\[0\]\)/,
    ],
    ["a namespace Kubernetes would refuse", GOOD.replace("namespace: web", "namespace: Web"), /^aks-wi\.yaml:15: bindings\[2\]\.namespace: "Web": /],
    ["a scope that is not an ARM ID", GOOD.replace(`scope: ${KV}`, "scope: kv-app"), /^aks-wi\.yaml:9: bindings\[0\]\.roles\[0\]\.scope: "kv-app": /],
    [
      "a bad workload reference",
      GOOD.replace("deployment/payments-api", "payments-api"),
      /^aks-wi\.yaml:10: bindings\[0\]\.workloads\[0\]: must look like deployment\/NAME/,
    ],
    [
      "a credential name used twice on one identity",
      GOOD.replace("    federatedCredential: worker", "    federatedCredential: aks-wi-payments-payments-api"),
      /^aks-wi\.yaml:14: bindings\[1\]\.federatedCredential: credential name "aks-wi-payments-payments-api" is already used on identity id-payments by bindings\[0\]$/,
    ],
  ])("%s: one line naming the file, the line and the field", async (_what, text, message) => {
    const e = await error(text);
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.kind).toBe("usage");
    expect(e.message).toMatch(message);
    expect(e.message).not.toContain("\n");
  });

  it("counts further mistakes after the first", async () => {
    const e = await error(GOOD.replace("aks-wi/v1", "v9").replace("kind: WorkloadIdentityConfig", "kind: Other"));
    expect(e.message).toMatch(/^aks-wi\.yaml:1: apiVersion: must be "aks-wi\/v1" \(and 1 more\)$/);
  });
});

describe("a binding's identity options", () => {
  const OTHER = "00000000-0000-0000-0000-000000000002";
  const file = (identity: string) => `apiVersion: aks-wi/v1
kind: WorkloadIdentityConfig
cluster: { subscription: ${SUB}, resourceGroup: rg-aks, name: aks-prod }
bindings:
  - namespace: web
    serviceAccount: web
    identity:
${identity}
`;

  it("reads location, subscription and tags", async () => {
    const c = await parseConfig(
      "aks-wi.yaml",
      file(`      name: id-web
      subscription: ${OTHER}
      location: westeurope
      tags: { costCenter: cc-42, owner: "" }`),
    );
    expect(c.bindings[0]!.identity).toEqual({
      name: "id-web",
      resourceGroup: "rg-aks",
      subscription: OTHER,
      location: "westeurope",
      tags: { costCenter: "cc-42", owner: "" },
    });
  });

  it.each([
    [`      name: id-web\n      location: West Europe`, 9, "bindings[0].identity.location", /"West Europe": location must be a region's short name/],
    [`      name: id-web\n      subscription: nope`, 9, "bindings[0].identity.subscription", /"nope": /],
    [`      name: id-web\n      tags:\n        managed-by: me`, 10, "bindings[0].identity.tags.managed-by", /managed-by is aks-wi's own tag/],
    [`      name: id-web\n      tags:\n        cost/center: x`, 10, "bindings[0].identity.tags.cost/center", /cannot contain/],
    [`      name: id-web\n      tags:\n        n: 7`, 10, "bindings[0].identity.tags.n", /must be a string/],
  ])("refuses a bad one at its line: %s", async (identity, line, field, message) => {
    const e = await error(file(identity));
    expect(e.message).toMatch(new RegExp(`^aks-wi\\.yaml:${line}: ${field.replace(/[.[\]/]/g, "\\$&")}: `));
    expect(e.message).toMatch(message);
  });
});
