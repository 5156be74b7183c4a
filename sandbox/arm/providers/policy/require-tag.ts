// Azure Policy's deny effect, for the one policy the sandbox assigns: "Require a tag on managed
// identities", a custom definition written as Azure's built-in "Require a tag on resources"
// (871b6d14-10aa-478d-b590-94f262ecfa99) is, narrowed to one type:
//   if allOf [ field type equals Microsoft.ManagedIdentity/userAssignedIdentities,
//              field "[concat('tags[', parameters('tagName'), ']')]" exists false ]  then deny
// ARM evaluates it before the resource provider sees a PUT or PATCH, over the resource as it
// would be, and refuses with 403 RequestDisallowedByPolicy: the policy identifiers in the message
// and a PolicyViolation in additionalInfo naming the assignment and the definition ("Resolve
// errors for request disallowed by policy", Azure Resource Manager troubleshooting docs).
import type { SandboxResponse, ServiceContext } from "../../../core/types.js";
import type { PolicyAssignmentRecord } from "../../../core/world.js";
import { scopeCovers } from "../authorization/scope.js";

export const REQUIRE_TAG_DEFINITION = {
  name: "require-tag-on-managed-identities",
  displayName: "Require a tag on managed identities",
  type: "Microsoft.ManagedIdentity/userAssignedIdentities",
};

export const requireTagDefinitionId = (subscriptionId: string) =>
  `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/policyDefinitions/${REQUIRE_TAG_DEFINITION.name}`;

/** The assignment's refusal of a resource (by ID, type and resulting tags), if one applies. */
export function policyDenial(
  ctx: ServiceContext,
  resource: { id: string; name: string; type: string; tags: Record<string, string> | undefined },
): SandboxResponse | undefined {
  for (const a of Object.values(ctx.world.state.policyAssignments ?? {})) {
    if (!a.policyDefinitionId.toLowerCase().endsWith(`/${REQUIRE_TAG_DEFINITION.name}`) || !scopeCovers(a.scope, resource.id)) continue;
    if (resource.type.toLowerCase() !== REQUIRE_TAG_DEFINITION.type.toLowerCase()) continue;
    const tagName = String(a.parameters.tagName?.value ?? "");
    // tag names are case-insensitive in Azure
    const present = Object.keys(resource.tags ?? {}).some((k) => k.toLowerCase() === tagName.toLowerCase());
    if (!present) return disallowed(a, resource.name, tagName);
  }
  return undefined;
}

function disallowed(a: PolicyAssignmentRecord, target: string, tagName: string): SandboxResponse {
  const identifiers = JSON.stringify([
    { policyAssignment: { name: a.displayName, id: a.id }, policyDefinition: { name: REQUIRE_TAG_DEFINITION.displayName, id: a.policyDefinitionId } },
  ]);
  const field = `tags[${tagName}]`;
  return {
    status: 403,
    body: {
      error: {
        code: "RequestDisallowedByPolicy",
        target,
        message: `Resource '${target}' was disallowed by policy. Policy identifiers: '${identifiers}'.`,
        additionalInfo: [
          {
            type: "PolicyViolation",
            info: {
              evaluationDetails: {
                evaluatedExpressions: [
                  {
                    result: "True",
                    expressionKind: "Field",
                    expression: "type",
                    path: "type",
                    expressionValue: REQUIRE_TAG_DEFINITION.type,
                    targetValue: REQUIRE_TAG_DEFINITION.type,
                    operator: "Equals",
                  },
                  { result: "True", expressionKind: "Field", expression: field, path: field, targetValue: "false", operator: "Exists" },
                ],
              },
              policyDefinitionId: a.policyDefinitionId,
              policyDefinitionName: REQUIRE_TAG_DEFINITION.name,
              policyDefinitionDisplayName: REQUIRE_TAG_DEFINITION.displayName,
              policyDefinitionEffect: "deny",
              policyAssignmentId: a.id,
              policyAssignmentName: a.name,
              policyAssignmentDisplayName: a.displayName,
              policyAssignmentScope: a.scope,
              policyAssignmentParameters: a.parameters,
              policyExemptionIds: [],
              policyEnrollmentIds: [],
            },
          },
        ],
      },
    },
  };
}
