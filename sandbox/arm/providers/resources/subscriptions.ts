// Microsoft.Resources/subscriptions: the list and GET of the sandbox's subscriptions (the main one,
// and those core/seed-governance.ts adds), each shown only to callers holding a role in it, shaped
// as @azure/arm-resources-subscriptions expects.
import type { ArmCall, ArmRoute } from "../../route.js";
import { key, subscriptionIds } from "../../../core/world.js";
import { subscriptionNotFound } from "../../errors.js";

/** subscriptions and tenants: ascending, from azure-rest-api-specs (@azure/arm-resources-subscriptions 2.1 sends 2022-12-01). */
export const SUBSCRIPTION_API_VERSIONS = [
  "2014-04-01",
  "2014-04-01-preview",
  "2015-01-01",
  "2015-11-01",
  "2016-02-01",
  "2016-06-01",
  "2016-07-01",
  "2016-09-01",
  "2017-05-10",
  "2017-06-01",
  "2017-08-01",
  "2018-02-01",
  "2018-05-01",
  "2018-06-01",
  "2018-07-01",
  "2018-08-01",
  "2018-09-01",
  "2018-11-01",
  "2019-03-01",
  "2019-05-01",
  "2019-05-10",
  "2019-06-01",
  "2019-07-01",
  "2019-08-01",
  "2019-09-01",
  "2019-10-01",
  "2019-11-01",
  "2020-01-01",
  "2020-05-01",
  "2020-06-01",
  "2020-07-01",
  "2020-08-01",
  "2020-09-01",
  "2020-10-01",
  "2021-01-01",
  "2021-04-01",
  "2022-01-01",
  "2022-03-01-preview",
  "2022-05-01",
  "2022-06-01",
  "2022-09-01",
  "2022-11-01-preview",
  "2022-12-01",
  "2023-07-01",
  "2024-03-01",
  "2024-07-01",
  "2024-08-01",
  "2024-11-01",
  "2025-01-01",
  "2025-03-01",
  "2025-04-01",
] as const;

/** True when the caller holds any role assignment in the subscription (ARM lists only those). */
function hasAnyRoleIn(call: ArmCall, subscriptionId: string): boolean {
  const sub = key(`/subscriptions/${subscriptionId}`);
  return Object.values(call.ctx.world.state.roleAssignments).some(
    (a) => key(a.principalId) === key(call.caller.oid) && (key(a.scope) === sub || key(a.scope).startsWith(sub + "/")),
  );
}

function subscriptionBody(call: ArmCall, subscriptionId: string) {
  const s = call.ctx.world.state;
  const displayName = s.subscriptions?.[key(subscriptionId)]?.displayName ?? s.subscriptionName;
  return {
    id: `/subscriptions/${subscriptionId}`,
    authorizationSource: "RoleBased",
    managedByTenants: [],
    subscriptionId,
    tenantId: s.tenantId,
    displayName,
    state: "Enabled",
    subscriptionPolicies: { locationPlacementId: "Public_2014-09-01", quotaId: "PayAsYouGo_2014-09-01", spendingLimit: "Off" },
  };
}

function visibleSubscriptions(call: ArmCall): string[] {
  const s = call.ctx.world.state;
  if (key(String(call.caller.tid)) !== key(s.tenantId)) return [];
  return subscriptionIds(s).filter((id) => hasAnyRoleIn(call, id));
}

export const subscriptionRoutes: ArmRoute[] = [
  {
    path: "/subscriptions",
    methods: ["GET"],
    apiVersions: SUBSCRIPTION_API_VERSIONS,
    async handle(call) {
      const visible = visibleSubscriptions(call);
      return { status: 200, body: { value: visible.map((id) => subscriptionBody(call, id)), count: { type: "Total", value: visible.length } } };
    },
  },
  {
    path: "/subscriptions/{subscriptionId}",
    methods: ["GET"],
    apiVersions: SUBSCRIPTION_API_VERSIONS,
    async handle(call) {
      // The router already answered SubscriptionNotFound for any other ID.
      const id = subscriptionIds(call.ctx.world.state).find((s) => key(s) === key(call.params.subscriptionId))!;
      if (!hasAnyRoleIn(call, id)) return subscriptionNotFound(call.params.subscriptionId);
      return { status: 200, body: subscriptionBody(call, id) };
    },
  },
];
