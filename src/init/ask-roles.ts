// The wizard's role assignments: the role from a searchable pick-list of the role definitions the
// subscription offers (common workload roles first, "did you mean" for a near miss), then the scope
// from a pick-list of the resources that role fits (derived from its actions' resource types), the
// resource group and the subscription, each with its ID, or another resource ID typed in. Both are
// valid when picked: nothing is found wrong after the remaining questions. A listing that fails
// falls back to free text, checked as the flags are.
import { nearest } from "../core/near-match.js";
import { isGuid, validateRole, validateScope } from "../core/names.js";
import type { ResourceInfo, RoleDefinitionListing, RoleRequest } from "../core/ports.js";
import { clip } from "../core/util.js";
import type { PickChoice, Prompter } from "../terminal/prompts.js";

/** The listings the role and scope pick-lists come from (through AzureOps); absent or failing: free text. */
export interface RoleSources {
  /** Every role definition assignable in the subscription. */
  roleDefinitions?(subscription: string): Promise<RoleDefinitionListing[]>;
  /** The subscription's resources of one type. */
  resources?(subscription: string, resourceType: string): Promise<ResourceInfo[]>;
  /** Whether a typed scope exists: false only when ARM says it does not (undefined: cannot tell). */
  scopeExists?(scope: string): Promise<boolean | undefined>;
}

/** Where the scope list looks: the cluster's subscription and resource group. */
export interface RoleContext {
  subscription?: string;
  resourceGroup?: string;
}

/** Roles workloads are usually given, listed first in this order (names as in Azure's built-in
 *  roles reference, https://learn.microsoft.com/azure/role-based-access-control/built-in-roles);
 *  only those the subscription actually lists are shown. */
export const COMMON_WORKLOAD_ROLES = [
  "Key Vault Secrets User",
  "Key Vault Certificate User",
  "Key Vault Crypto User",
  "Storage Blob Data Reader",
  "Storage Blob Data Contributor",
  "Storage Queue Data Contributor",
  "AcrPull",
  "App Configuration Data Reader",
  "Azure Service Bus Data Sender",
  "Azure Service Bus Data Receiver",
  "Azure Event Hubs Data Sender",
  "Azure Event Hubs Data Receiver",
  "Reader",
] as const;

/** A provider's main resource type, for actions that name only the provider ("Microsoft.KeyVault/*"). */
const MAIN_TYPE: Record<string, string> = {
  "microsoft.keyvault": "Microsoft.KeyVault/vaults",
  "microsoft.storage": "Microsoft.Storage/storageAccounts",
  "microsoft.containerregistry": "Microsoft.ContainerRegistry/registries",
  "microsoft.appconfiguration": "Microsoft.AppConfiguration/configurationStores",
  "microsoft.servicebus": "Microsoft.ServiceBus/namespaces",
  "microsoft.eventhub": "Microsoft.EventHub/namespaces",
  "microsoft.containerservice": "Microsoft.ContainerService/managedClusters",
  "microsoft.managedidentity": "Microsoft.ManagedIdentity/userAssignedIdentities",
  "microsoft.documentdb": "Microsoft.DocumentDB/databaseAccounts",
  "microsoft.sql": "Microsoft.Sql/servers",
};

/** What the list calls each type. */
const TYPE_LABEL: Record<string, string> = {
  "microsoft.keyvault/vaults": "Key Vault",
  "microsoft.storage/storageaccounts": "storage account",
  "microsoft.containerregistry/registries": "container registry",
  "microsoft.appconfiguration/configurationstores": "App Configuration store",
  "microsoft.servicebus/namespaces": "Service Bus namespace",
  "microsoft.eventhub/namespaces": "Event Hubs namespace",
  "microsoft.containerservice/managedclusters": "AKS cluster",
  "microsoft.managedidentity/userassignedidentities": "managed identity",
};

/** Providers whose actions every role carries for housekeeping (reading role assignments,
 *  deployments, alerts, support tickets): they say nothing about what the role is for. */
const HOUSEKEEPING = new Set(["microsoft.authorization", "microsoft.resources", "microsoft.insights", "microsoft.support", "microsoft.resourcehealth"]);
/** Second segments of actions that are provider-level operations, not resource types. */
const NOT_A_TYPE = new Set([
  "locations",
  "operations",
  "checknameavailability",
  "register",
  "unregister",
  "deletedvaults",
  "usages",
  "skus",
  "operationresults",
]);
/** More types than this and the role is not specific to any: the group and subscription are offered. */
const MAX_TYPES = 4;

/** The resource types a role's actions act on, data actions first ("Microsoft.KeyVault/vaults/secrets/getSecret/action" → "Microsoft.KeyVault/vaults"). */
export function resourceTypesOf(role: Pick<RoleDefinitionListing, "actions" | "dataActions">): string[] {
  const out = new Map<string, string>();
  for (const action of [...role.dataActions, ...role.actions]) {
    const [ns, type] = action.split("/");
    if (!ns || ns.includes("*") || HOUSEKEEPING.has(ns.toLowerCase())) continue;
    const t = type && !type.includes("*") && !NOT_A_TYPE.has(type.toLowerCase()) ? `${ns}/${type}` : MAIN_TYPE[ns.toLowerCase()];
    if (t && !out.has(t.toLowerCase())) out.set(t.toLowerCase(), t);
  }
  return out.size > MAX_TYPES ? [] : [...out.values()];
}

const COMMON_RANK = new Map(COMMON_WORKLOAD_ROLES.map((r, i) => [r.toLowerCase(), i]));
const rank = (r: RoleDefinitionListing) => COMMON_RANK.get(r.roleName.toLowerCase()) ?? Number.MAX_SAFE_INTEGER;
const byCommonThenName = (a: RoleDefinitionListing, b: RoleDefinitionListing) => rank(a) - rank(b) || a.roleName.localeCompare(b.roleName);

function roleChoice(r: RoleDefinitionListing, name = r.roleName): PickChoice<RoleDefinitionListing> {
  return { name, value: r, description: r.description ? clip(r.description, 160) : undefined };
}

/** The role list for what is typed: every role whose name holds each typed word (or whose GUID
 *  it is), common ones first; nothing matching: the near misses as "did you mean". */
export function roleChoices(roles: readonly RoleDefinitionListing[], term: string): PickChoice<RoleDefinitionListing>[] {
  const t = term.trim().toLowerCase();
  if (!t) return [...roles].sort(byCommonThenName).map((r) => roleChoice(r));
  const words = t.split(/\s+/);
  const hits = roles.filter((r) => r.name.toLowerCase() === t || words.every((w) => r.roleName.toLowerCase().includes(w)));
  if (hits.length) return hits.sort(byCommonThenName).map((r) => roleChoice(r));
  // A GUID the subscription does not list (a custom role assignable only below it): taken as
  // typed, and resolved at the scope when the plan is made, as --role takes it.
  if (isGuid(t)) return [roleChoice({ id: "", name: t, roleName: t, actions: [], dataActions: [] }, `role definition ${t} (not listed in the subscription)`)];
  const names = roles.map((r) => r.roleName);
  const near = nearest(t, names, Math.max(2, Math.floor(t.length / 5)));
  return near.map((n) => roles.find((r) => r.roleName === n)!).map((r) => roleChoice(r, `did you mean "${r.roleName}"?`));
}

const NEW = Symbol("another resource ID");

/** The scope list for a role: the resources of its types, the resource group, the subscription, and free text. */
async function scopeChoices(role: RoleDefinitionListing | undefined, ctx: RoleContext, sources: RoleSources): Promise<PickChoice<string | typeof NEW>[]> {
  const choices: PickChoice<string | typeof NEW>[] = [];
  const sub = ctx.subscription;
  if (sub && role && sources.resources) {
    const lists = await Promise.all(
      resourceTypesOf(role).map((type) => sources.resources!(sub, type).catch(() => [] as ResourceInfo[])), // one type failing hides only its own
    );
    for (const r of lists.flat().sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name)))
      choices.push({ name: `${r.name} (${TYPE_LABEL[r.type.toLowerCase()] ?? r.type}) ${r.id}`, value: r.id });
  }
  if (sub && ctx.resourceGroup) {
    const id = `/subscriptions/${sub}/resourceGroups/${ctx.resourceGroup}`;
    choices.push({ name: `resource group ${ctx.resourceGroup} ${id}`, value: id, description: "every resource in the group" });
  }
  if (sub)
    choices.push({ name: `subscription /subscriptions/${sub}`, value: `/subscriptions/${sub}`, description: "every resource in the subscription: broad" });
  choices.push({ name: "+ another resource ID…", value: NEW });
  return choices;
}

/** One role: picked from the listing, or typed when there is none. */
async function askRole(p: Prompter, ctx: RoleContext, sources: RoleSources | undefined): Promise<{ role: string; definition?: RoleDefinitionListing }> {
  let roles: RoleDefinitionListing[] | undefined;
  if (ctx.subscription && sources?.roleDefinitions) roles = await sources.roleDefinitions(ctx.subscription).catch(() => undefined);
  if (!roles?.length) return { role: await p.input({ message: "Role (name or role definition GUID)", validate: validateRole }) };
  const definition = await p.search({ message: "Role (type to search; common workload roles first)", source: (term) => roleChoices(roles!, term) });
  return { role: definition.roleName, definition };
}

async function askScope(
  p: Prompter,
  role: RoleDefinitionListing | undefined,
  ctx: RoleContext,
  sources: RoleSources | undefined,
  def?: string,
): Promise<string> {
  const choices = sources ? await scopeChoices(role, ctx, sources) : [];
  if (choices.length > 1) {
    const listed = choices.filter((c) => c.value !== NEW).map((c) => c.value as string);
    // The first resource the role fits is the likely one; a broad scope is never preselected.
    const initial = def && listed.includes(def) ? def : (listed.find((v) => /\/providers\//i.test(v)) ?? listed[0]);
    const picked = await p.select<string | typeof NEW>({ message: `Scope of "${role?.roleName ?? "the role"}"`, choices, default: initial });
    if (picked !== NEW) return picked;
  }
  // Typed: its shape is checked as it is typed, its existence once it is entered (re-asked if ARM
  // says there is no such resource, rather than failing the plan after every other question).
  let message = "Scope (full resource ID)";
  for (let initial = def; ; initial = undefined) {
    const typed = await p.input({ message, default: initial, validate: validateScope });
    if ((await sources?.scopeExists?.(typed).catch(() => undefined)) !== false) return typed;
    message = `Scope (full resource ID): ${clip(typed, 300)} does not exist; another`;
  }
}

/** The role assignments question: the answers kept from a cancelled or failed run are offered
 *  whole first; otherwise role and scope pairs until the user has no more. Defaults to assigning one:
 *  an identity that holds no role reaches nothing (verify's access check fails). */
export async function askRoles(p: Prompter, ctx: RoleContext, kept: RoleRequest[] | undefined, sources?: RoleSources): Promise<RoleRequest[]> {
  if (kept?.length) {
    const shown = kept.map((r) => `${r.role} at ${r.scope}`).join("; ");
    if (await p.confirm({ message: `Assign the role(s) you chose last time: ${shown}?`, default: true })) return kept;
  }
  const out: RoleRequest[] = [];
  let more = await p.confirm({
    message: "Assign an Azure role to the identity (e.g. Key Vault Secrets User on a vault; without one it can reach nothing)?",
    default: true,
  });
  while (more) {
    const { role, definition } = await askRole(p, ctx, sources);
    out.push({ role, scope: await askScope(p, definition, ctx, sources) });
    more = await p.confirm({ message: "Assign another role?", default: false });
  }
  return out;
}
