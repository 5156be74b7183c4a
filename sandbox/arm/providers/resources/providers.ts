// Microsoft.Resources/providers: the resource providers of the subscription and their
// registration — `az provider register/show/list`. Paths and shapes as in azure-rest-api-specs
// specification/resources/resource-manager/Microsoft.Resources/stable/2021-04-01/resources.json
// (Providers_List, Providers_Get, Providers_Register): {id, namespace, resourceTypes: [{resourceType,
// locations, apiVersions}], registrationState, registrationPolicy}. A provider's resource types
// and api-versions are the ones the sandbox's own routes serve, read off their path templates, so
// the list cannot drift from the router; every provider the sandbox serves is registered (its
// resources exist), and one it does not serve, Microsoft.KubernetesConfiguration (what AKS
// cluster extensions need), starts NotRegistered, so `az provider register` has something to do:
// Registering for the latency profile's providerRegistrationMs, then Registered.
import type { ArmCall, ArmRoute } from "../../route.js";
import { invalidResourceNamespace } from "../../errors.js";
import { splitPath } from "../../router.js";
import { RESOURCE_GROUP_API_VERSIONS } from "./resource-groups.js";
import { subscriptionIds } from "../../../core/world.js";
import { initialRegistration, registrationState, requestRegistration, type RegistrationState } from "./registrations.js";

interface ResourceType {
  resourceType: string;
  regional: boolean;
  apiVersions: Set<string>;
}
interface Provider {
  namespace: string;
  types: Map<string, ResourceType>;
  initial: RegistrationState;
}

/** Providers ARM itself answers for: no registration needed (and none possible to lose). */
const REGISTRATION_FREE = new Set(["microsoft.resources", "microsoft.authorization", "microsoft.features"]);

/** Microsoft.Resources' own types (its routes name no "providers/Microsoft.Resources" segment). */
const RESOURCES_TYPES = [
  "tenants",
  "subscriptions",
  "resourceGroups",
  "subscriptions/resourceGroups",
  "resources",
  "subscriptions/resources",
  "providers",
  "subscriptions/providers",
];

/** Served by no route of the sandbox; api-versions from azure-rest-api-specs (kubernetesconfiguration, extensions/stable). */
const UNSERVED: Array<{ namespace: string; types: Array<{ resourceType: string; regional: boolean }>; apiVersions: string[] }> = [
  {
    namespace: "Microsoft.KubernetesConfiguration",
    types: [
      { resourceType: "extensions", regional: true },
      { resourceType: "operations", regional: false },
    ],
    apiVersions: ["2021-09-01", "2022-03-01", "2022-07-01", "2022-11-01", "2023-05-01", "2024-11-01", "2025-03-01"],
  },
];

const DISPLAY_NAMES: Record<string, string> = {
  eastus: "East US",
  eastus2: "East US 2",
  westus: "West US",
  westus2: "West US 2",
  westus3: "West US 3",
  centralus: "Central US",
  northeurope: "North Europe",
  westeurope: "West Europe",
  uksouth: "UK South",
  usgovvirginia: "USGov Virginia",
  chinaeast2: "China East 2",
};

const isParam = (s: string) => s.startsWith("{");

/** The provider namespace and resource type a route template serves, if it is a provider's:
 *  the literal after the last "providers/<literal>", then every other segment while literal; a
 *  trailing POST-only segment is an action (listClusterUserCredential), not a type. */
export function resourceTypeOf(route: ArmRoute): { namespace: string; resourceType: string } | undefined {
  const segs = splitPath(route.path);
  const at = segs
    .map((s, i) => (s.toLowerCase() === "providers" && segs[i + 1] && !isParam(segs[i + 1]) ? i : -1))
    .filter((i) => i >= 0)
    .at(-1);
  if (at === undefined) return undefined;
  const rest = segs.slice(at + 2);
  const types: string[] = [];
  for (let i = 0; i < rest.length && !isParam(rest[i]); i += 2) types.push(rest[i]);
  if (rest.length % 2 === 1 && rest.length > 1 && route.methods.every((m) => m.toUpperCase() === "POST")) types.pop();
  return types.length ? { namespace: segs[at + 1], resourceType: types.join("/") } : undefined;
}

function catalogue(routes: ArmRoute[]): Map<string, Provider> {
  const providers = new Map<string, Provider>();
  const add = (namespace: string, resourceType: string, regional: boolean, versions: readonly string[], initial: RegistrationState) => {
    const p = providers.get(namespace.toLowerCase()) ?? { namespace, types: new Map(), initial };
    providers.set(namespace.toLowerCase(), p);
    const t = p.types.get(resourceType.toLowerCase()) ?? { resourceType, regional, apiVersions: new Set<string>() };
    p.types.set(resourceType.toLowerCase(), t);
    // a type any route reaches under a resource group has a location (its list by subscription does not make it global)
    t.regional ||= regional;
    for (const v of versions) t.apiVersions.add(v);
  };
  for (const t of RESOURCES_TYPES) add("Microsoft.Resources", t, false, RESOURCE_GROUP_API_VERSIONS, "Registered");
  for (const r of routes) {
    const served = resourceTypeOf(r);
    if (served) add(served.namespace, served.resourceType, /\{resourceGroupName\}/i.test(r.path), r.apiVersions, "Registered");
  }
  for (const u of UNSERVED) for (const t of u.types) add(u.namespace, t.resourceType, t.regional, u.apiVersions, "NotRegistered");
  return providers;
}

/** The subscription of the call as the world spells it (the router has checked it exists). */
const subscriptionOf = (call: ArmCall) =>
  subscriptionIds(call.ctx.world.state).find((s) => s.toLowerCase() === call.params.subscriptionId.toLowerCase()) ?? call.params.subscriptionId;
const providerId = (call: ArmCall, p: Provider) => `/subscriptions/${subscriptionOf(call)}/providers/${p.namespace}`;
const initialOf = (call: ArmCall, p: Provider) => initialRegistration(call.ctx.world.state, subscriptionOf(call), p.namespace, p.initial);

function body(call: ArmCall, p: Provider, state = registrationState(call.ctx, providerId(call, p), initialOf(call, p))) {
  const location = call.ctx.world.state.location;
  return {
    id: providerId(call, p),
    namespace: p.namespace,
    resourceTypes: [...p.types.values()].map((t) => ({
      resourceType: t.resourceType,
      locations: t.regional ? [DISPLAY_NAMES[location] ?? location] : [],
      // ARM lists a type's api-versions newest first
      apiVersions: [...t.apiVersions].sort().reverse(),
    })),
    registrationState: state,
    registrationPolicy: REGISTRATION_FREE.has(p.namespace.toLowerCase()) ? "RegistrationFree" : "RegistrationRequired",
  };
}

const subscriptionScope = (call: ArmCall) => `/subscriptions/${subscriptionOf(call)}`;
const READ = "Microsoft.Resources/subscriptions/providers/read";

/** The routes, over every route the ARM service serves (given lazily: this list is among them). */
export function providerRoutes(served: () => ArmRoute[]): ArmRoute[] {
  let known: Map<string, Provider> | undefined;
  const providers = () => (known ??= catalogue(served()));
  return [
    {
      path: "/subscriptions/{subscriptionId}/providers",
      methods: ["GET"],
      apiVersions: RESOURCE_GROUP_API_VERSIONS,
      action: () => READ,
      scope: subscriptionScope,
      async handle(call) {
        return { status: 200, body: { value: [...providers().values()].map((p) => body(call, p)) } };
      },
    },
    {
      path: "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}",
      methods: ["GET"],
      apiVersions: RESOURCE_GROUP_API_VERSIONS,
      action: () => READ,
      scope: subscriptionScope,
      async handle(call) {
        const p = providers().get(call.params.resourceProviderNamespace.toLowerCase());
        return p ? { status: 200, body: body(call, p) } : invalidResourceNamespace(call.params.resourceProviderNamespace);
      },
    },
    {
      path: "/subscriptions/{subscriptionId}/providers/{resourceProviderNamespace}/register",
      methods: ["POST"],
      apiVersions: RESOURCE_GROUP_API_VERSIONS,
      // Azure's "*/register/action": each provider's own register action, at the subscription
      action: (call) => `${call.params.resourceProviderNamespace}/register/action`,
      scope: subscriptionScope,
      async handle(call) {
        const p = providers().get(call.params.resourceProviderNamespace.toLowerCase());
        if (!p) return invalidResourceNamespace(call.params.resourceProviderNamespace);
        const state = requestRegistration(call.ctx, providerId(call, p), initialOf(call, p), true, call.ctx.latency.providerRegistrationMs);
        return { status: 200, body: body(call, p, state) };
      },
    },
  ];
}
