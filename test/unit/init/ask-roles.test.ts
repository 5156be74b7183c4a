// The wizard's role and scope questions over a fake Prompter and fake listings: common roles first,
// search by words, "did you mean" for a near miss, the scope list from the role's resource types
// (each entry with its ID), the group, the subscription and free text, and kept roles offered whole.
import { describe, expect, it } from "vitest";
import { askRoles, COMMON_WORKLOAD_ROLES, resourceTypesOf, roleChoices, type RoleSources } from "../../../src/init/ask-roles.js";
import type { RoleDefinitionListing } from "../../../src/core/ports.js";
import type { PickChoice, Prompter } from "../../../src/terminal/prompts.js";

const SUB = "11111111-1111-1111-1111-111111111111";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-app`;
const VAULT = `${RG}/providers/Microsoft.KeyVault/vaults/kv-app`;

const role = (roleName: string, name: string, actions: string[], dataActions: string[] = []): RoleDefinitionListing => ({
  id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${name}`,
  name,
  roleName,
  actions,
  dataActions,
  description: `${roleName} does things`,
});
const ROLES = [
  role("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c", ["*"]),
  role("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7", ["*/read"]),
  role("Key Vault Contributor", "f25e0fa2-a7c8-4377-a976-54943a77a395", [
    "Microsoft.Authorization/*/read",
    "Microsoft.KeyVault/*",
    "Microsoft.Resources/deployments/*",
  ]),
  role(
    "Key Vault Secrets User",
    "4633458b-17de-408a-b874-0445c86b69e6",
    [],
    ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
  ),
  role("AcrPull", "7f951dda-4ed3-4680-a7ca-43fe172d538d", ["Microsoft.ContainerRegistry/registries/pull/read"]),
  role(
    "Storage Blob Data Reader",
    "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    ["Microsoft.Storage/storageAccounts/blobServices/containers/read"],
    ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
  ),
];

describe("resourceTypesOf", () => {
  it.each([
    ["Key Vault Secrets User", ["Microsoft.KeyVault/vaults"]],
    ["Key Vault Contributor", ["Microsoft.KeyVault/vaults"]], // provider wildcard → its main type; housekeeping ignored
    ["AcrPull", ["Microsoft.ContainerRegistry/registries"]],
    ["Storage Blob Data Reader", ["Microsoft.Storage/storageAccounts"]],
    ["Reader", []],
    ["Contributor", []],
  ])("%s → %j", (name, want) => {
    expect(resourceTypesOf(ROLES.find((r) => r.roleName === name)!)).toEqual(want);
  });
});

describe("roleChoices", () => {
  const names = (term: string) => roleChoices(ROLES, term).map((c) => c.name);
  it("lists the common workload roles first, in their order, then the rest by name", () => {
    const common = COMMON_WORKLOAD_ROLES.filter((r) => ROLES.some((x) => x.roleName === r));
    expect(names("")).toEqual([...common, "Contributor", "Key Vault Contributor"]);
  });
  it("finds by every typed word, ignoring case (a missing plural still hits)", () => {
    expect(names("vault secret user")).toEqual(["Key Vault Secrets User"]);
    expect(names("VAULT")).toEqual(["Key Vault Secrets User", "Key Vault Contributor"]);
    expect(names("4633458b-17de-408a-b874-0445c86b69e6")).toEqual(["Key Vault Secrets User"]);
  });
  it("offers the near misses of a typo as 'did you mean'", () => {
    const near = roleChoices(ROLES, "Key Valut Secrets User");
    expect(near.map((c) => c.name)).toEqual(['did you mean "Key Vault Secrets User"?']);
    expect(near[0]!.value.roleName).toBe("Key Vault Secrets User");
    expect(names("zzzz qqqq")).toEqual([]);
    // A GUID not listed (a custom role below the subscription) is taken as typed.
    expect(names("00000000-1111-2222-3333-444444444444")).toEqual(["role definition 00000000-1111-2222-3333-444444444444 (not listed in the subscription)"]);
  });
});

/** Answers the role questions in order; records what each list offered. */
function fake(script: unknown[]): Prompter & { lists: { message: string; choices: string[]; default?: unknown }[] } {
  const lists: { message: string; choices: string[]; default?: unknown }[] = [];
  const next = () => {
    if (!script.length) throw new Error("no answer left");
    return script.shift();
  };
  return {
    lists,
    input: async () => next() as string,
    confirm: async () => next() as boolean,
    async select<T>(o: { message: string; choices: PickChoice<T>[]; default?: T }) {
      lists.push({ message: o.message, choices: o.choices.map((c) => c.name), default: o.default });
      const a = next() as string;
      const c = o.choices.find((x) => x.name.startsWith(a));
      if (!c) throw new Error(`${a} not offered`);
      return c.value;
    },
    async search<T>(o: { message: string; source: (term: string) => PickChoice<T>[] | Promise<PickChoice<T>[]> }) {
      const { term, pick } = next() as { term: string; pick: string };
      const choices = await o.source(term);
      lists.push({ message: o.message, choices: choices.map((c) => c.name) });
      return choices.find((c) => c.name === pick)!.value;
    },
  };
}

const sources: RoleSources = {
  roleDefinitions: async () => ROLES,
  resources: async (_s, type) =>
    type === "Microsoft.KeyVault/vaults" ? [{ id: VAULT, name: "kv-app", type: "Microsoft.KeyVault/vaults", resourceGroup: "rg-app", location: "eastus" }] : [],
};

describe("askRoles", () => {
  it("picks the role by search and the scope from the resources it fits, each with its ID", async () => {
    const p = fake([true, { term: "secrets", pick: "Key Vault Secrets User" }, "kv-app", false]);
    const got = await askRoles(p, { subscription: SUB, resourceGroup: "rg-app" }, undefined, sources);
    expect(got).toEqual([{ role: "Key Vault Secrets User", scope: VAULT }]);
    const scope = p.lists[1]!;
    expect(scope.choices).toEqual([
      `kv-app (Key Vault) ${VAULT}`,
      `resource group rg-app ${RG}`,
      `subscription /subscriptions/${SUB}`,
      "+ another resource ID…",
    ]);
    expect(scope.default).toBe(VAULT); // the resource, never the broad subscription
  });

  it("a role of no specific type: the group preselected; another resource ID is typed and checked", async () => {
    const p = fake([true, { term: "reader", pick: "Reader" }, "+ another", VAULT, false]);
    const got = await askRoles(p, { subscription: SUB, resourceGroup: "rg-app" }, undefined, sources);
    expect(got).toEqual([{ role: "Reader", scope: VAULT }]);
    expect(p.lists[1]!.choices).toHaveLength(3);
    expect(p.lists[1]!.default).toBe(RG);
  });

  it("a typed resource ID that ARM says does not exist is asked again, saying so", async () => {
    const messages: string[] = [];
    const p = fake([true, { term: "reader", pick: "Reader" }, "+ another", `${VAULT}-nope`, VAULT, false]);
    const input = p.input.bind(p);
    p.input = async (o) => (messages.push(o.message), input(o));
    const got = await askRoles(p, { subscription: SUB, resourceGroup: "rg-app" }, undefined, { ...sources, scopeExists: async (s) => s === VAULT });
    expect(got).toEqual([{ role: "Reader", scope: VAULT }]);
    expect(messages).toEqual(["Scope (full resource ID)", `Scope (full resource ID): ${VAULT}-nope does not exist; another`]);
  });

  it("without a role listing, the role is typed (as --role takes it)", async () => {
    const p = fake([true, "Key Vault Secrets User", "resource group", false]); // no definition: no resource types to list
    expect(await askRoles(p, { subscription: SUB, resourceGroup: "rg-app" }, undefined, { resources: sources.resources })).toEqual([
      { role: "Key Vault Secrets User", scope: `${RG}` },
    ]);
  });

  it("offers the kept roles whole; no: asks afresh", async () => {
    const kept = [{ role: "AcrPull", scope: RG }];
    expect(await askRoles(fake([true]), { subscription: SUB }, kept, sources)).toEqual(kept);
    expect(await askRoles(fake([false, false]), { subscription: SUB }, kept, sources)).toEqual([]);
  });
});
