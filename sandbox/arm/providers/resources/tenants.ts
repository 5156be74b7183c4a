// Microsoft.Resources/tenants: the caller's own tenant (home or foreign), with the verified
// domain Entra also accepts in place of the tenant ID.
import type { ArmRoute } from "../../route.js";
import { key } from "../../../core/world.js";
import { SUBSCRIPTION_API_VERSIONS } from "./subscriptions.js";

export const tenantRoutes: ArmRoute[] = [
  {
    path: "/tenants",
    methods: ["GET"],
    apiVersions: SUBSCRIPTION_API_VERSIONS,
    async handle(call) {
      const s = call.ctx.world.state;
      const tid = String(call.caller.tid);
      const isHome = key(tid) === key(s.tenantId);
      const domain = isHome ? "akswisandbox.onmicrosoft.com" : "akswiforeign.onmicrosoft.com";
      return {
        status: 200,
        body: {
          value: [
            {
              id: `/tenants/${tid}`,
              tenantId: tid,
              countryCode: "US",
              displayName: isHome ? "aks-wi sandbox" : "aks-wi sandbox (foreign)",
              domains: [domain],
              tenantCategory: "Home",
              defaultDomain: domain,
              tenantType: "AAD",
            },
          ],
        },
      };
    },
  },
];
