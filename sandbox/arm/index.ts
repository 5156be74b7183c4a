// The sandbox's Azure Resource Manager: every provider's routes behind one ARM front door.
import type { ServiceContext, SandboxService } from "../core/types.js";
import type { ArmRoute } from "./types.js";
import { createArmHandler } from "./router.js";
import { coreRoutes } from "./core.js";
import { clusterRoutes, resumeClusterOperations } from "./clusters.js";
import { identityRoutes } from "./identities.js";
import { authorizationRoutes } from "./authorization.js";

/** All ARM routes; the router picks the most specific template that matches. */
export function armRoutes(): ArmRoute[] {
  return [...coreRoutes, ...clusterRoutes, ...identityRoutes, ...authorizationRoutes];
}

export function createArmService(ctx: ServiceContext): SandboxService {
  resumeClusterOperations(ctx);
  return { name: "arm", handle: createArmHandler(ctx, armRoutes()) };
}
