// The sandbox's Azure Resource Manager: every resource provider's routes behind one ARM front
// door (router.ts), one file per resource type under providers/.
import type { ServiceContext, SandboxService } from "../core/types.js";
import type { ArmRoute } from "./route.js";
import { createArmHandler } from "./router.js";
import { subscriptionRoutes } from "./providers/resources/subscriptions.js";
import { tenantRoutes } from "./providers/resources/tenants.js";
import { resourceGroupRoutes } from "./providers/resources/resource-groups.js";
import { genericResourceRoutes } from "./providers/resources/generic-resources.js";
import { vaultRoutes } from "./providers/key-vault/vaults.js";
import { providerRoutes } from "./providers/resources/providers.js";
import { resourceListRoutes } from "./providers/resources/resource-lists.js";
import { featureRoutes } from "./providers/features/features.js";
import { managedClusterRoutes } from "./providers/container-service/managed-clusters.js";
import { runCommandRoutes } from "./providers/container-service/run-command.js";
import { kubernetesVersionRoutes } from "./providers/container-service/kubernetes-versions.js";
import { operationRoutes } from "./providers/container-service/operations.js";
import { resumeClusterOperations } from "./providers/container-service/long-running.js";
import { userAssignedIdentityRoutes } from "./providers/managed-identity/user-assigned-identities.js";
import { federatedIdentityCredentialRoutes } from "./providers/managed-identity/federated-identity-credentials.js";
import { roleDefinitionRoutes } from "./providers/authorization/role-definitions.js";
import { roleAssignmentRoutes } from "./providers/authorization/role-assignments.js";
import { permissionRoutes } from "./providers/authorization/permissions.js";

/** All ARM routes; the router picks the most specific template that matches. */
export function armRoutes(): ArmRoute[] {
  return [
    ...subscriptionRoutes,
    ...tenantRoutes,
    ...resourceGroupRoutes,
    ...genericResourceRoutes,
    ...vaultRoutes,
    ...providerRoutes(armRoutes),
    ...resourceListRoutes,
    ...featureRoutes,
    ...managedClusterRoutes,
    ...runCommandRoutes,
    ...kubernetesVersionRoutes,
    ...operationRoutes,
    ...userAssignedIdentityRoutes,
    ...federatedIdentityCredentialRoutes,
    ...roleDefinitionRoutes,
    ...roleAssignmentRoutes,
    ...permissionRoutes,
  ];
}

export function createArmService(ctx: ServiceContext): SandboxService {
  resumeClusterOperations(ctx);
  return { name: "arm", handle: createArmHandler(ctx, armRoutes()) };
}
