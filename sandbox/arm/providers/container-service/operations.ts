// Microsoft.ContainerService/locations/operations: the status of a cluster operation, where its
// Azure-AsyncOperation URL points — InProgress with Retry-After, then Succeeded for good.
import type { ArmRoute } from "../../route.js";
import { key } from "../../../core/world.js";
import { armError } from "../../errors.js";
import { MANAGED_CLUSTER_API_VERSIONS } from "./managed-clusters.js";
import { OPERATION_URL_API_VERSION, iso, retryAfter, settleClusters } from "./long-running.js";

const NS = "Microsoft.ContainerService";
/** The version AKS's own operation URLs carry, plus the managedClusters ones. */
const OPERATION_API_VERSIONS = [OPERATION_URL_API_VERSION, ...MANAGED_CLUSTER_API_VERSIONS] as const;

export const operationRoutes: ArmRoute[] = [
  {
    path: `/subscriptions/{subscriptionId}/providers/${NS}/locations/{location}/operations/{operationId}`,
    methods: ["GET"],
    apiVersions: OPERATION_API_VERSIONS,
    action: () => `${NS}/locations/operations/read`,
    async handle(call) {
      settleClusters(call.ctx);
      const opId = call.params.operationId;
      for (const c of Object.values(call.ctx.world.state.clusters)) {
        if (c.operation && key(c.operation.id) === key(opId)) {
          return {
            status: 200,
            headers: { "retry-after": retryAfter(call.ctx, c.operation.doneAt) },
            body: { name: c.operation.id, status: "InProgress", startTime: iso(c.operation.startedAt) },
          };
        }
        const done = Object.entries(c.operations).find(([id]) => key(id) === key(opId));
        if (done) return { status: 200, body: { name: done[0], ...done[1] } };
      }
      return armError(404, "NotFound", `Operation ${opId} not found.`);
    },
  },
];
