// The directory objects Graph shows: one servicePrincipal per principal of the world (the
// operator, each managed identity's, each `sandbox principal create` one), shaped as Graph v1.0
// answers `GET /v1.0/servicePrincipals/{id}` (the properties of the Azure CLI's recording
// test_service_principal_scenario.yaml in Azure/azure-cli's role module; Graph's servicePrincipal
// resource type). A managed identity's principal is servicePrincipalType "ManagedIdentity",
// owned by Microsoft's first-party tenant, with its ARM resource ID in alternativeNames, as
// Entra lists them; an application's is "Application", owned by the sandbox tenant.
import { createHash } from "node:crypto";
import type { ServiceContext } from "../core/types.js";
import type { PrincipalRecord } from "../core/world.js";

/** The tenant that owns the managed-identity applications (Microsoft Services). */
const MICROSOFT_SERVICES_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

export type ServicePrincipal = Record<string, unknown> & { id: string; appId: string; servicePrincipalNames: string[] };

function servicePrincipalOf(ctx: ServiceContext, p: PrincipalRecord): ServicePrincipal {
  const s = ctx.world.state;
  const identity = p.kind === "managedIdentity" ? Object.values(s.identities).find((i) => i.clientId.toLowerCase() === p.clientId.toLowerCase()) : undefined;
  const managed = p.kind === "managedIdentity";
  // Entra's second name for a managed identity is an identity.azure.net URI; its suffix is
  // opaque to clients, so a hash of the resource ID stands in for it
  const msiName = identity ? `https://identity.azure.net/${createHash("sha256").update(identity.id.toLowerCase()).digest("base64")}` : undefined;
  return {
    id: p.principalId,
    deletedDateTime: null,
    accountEnabled: true,
    alternativeNames: identity ? ["isExplicit=True", identity.id] : [],
    appDisplayName: managed ? null : p.displayName,
    appDescription: null,
    appId: p.clientId,
    applicationTemplateId: null,
    appOwnerOrganizationId: managed ? MICROSOFT_SERVICES_TENANT : s.tenantId,
    appRoleAssignmentRequired: false,
    createdDateTime: new Date(p.createdAt).toISOString().replace(/\.\d+Z$/, "Z"),
    description: null,
    disabledByMicrosoftStatus: null,
    displayName: p.displayName,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    replyUrls: [],
    servicePrincipalNames: msiName ? [p.clientId, msiName] : [p.clientId],
    servicePrincipalType: managed ? "ManagedIdentity" : "Application",
    signInAudience: managed ? null : "AzureADMyOrg",
    tags: [],
    tokenEncryptionKeyId: null,
    samlSingleSignOnSettings: null,
    verifiedPublisher: { displayName: null, verifiedPublisherId: null, addedDateTime: null },
    addIns: [],
    appRoles: [],
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: [],
    oauth2PermissionScopes: [],
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
  };
}

/** Every service principal of the home tenant, oldest first (as Graph's unordered list tends to be). */
export function servicePrincipals(ctx: ServiceContext): ServicePrincipal[] {
  return Object.values(ctx.world.state.principals)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((p) => servicePrincipalOf(ctx, p));
}

/** The service principal with this object ID, if any. */
export function servicePrincipalById(ctx: ServiceContext, id: string): ServicePrincipal | undefined {
  return servicePrincipals(ctx).find((sp) => sp.id.toLowerCase() === id.toLowerCase());
}
