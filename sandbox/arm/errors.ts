// ARM's error bodies, worded as Azure words them: every failure is {"error":{"code","message"}},
// built by armError. The router and every provider use it (and the named errors below, for the
// failures several of them answer) so the shape and the texts stay in one place.
import type { SandboxResponse } from "../core/types.js";

export function armError(status: number, code: string, message: string, headers?: Record<string, string>): SandboxResponse {
  return { status, headers, body: { error: { code, message } } };
}

/** ARM's 404 for a missing resource: "The Resource 'NS/type/name' under resource group 'rg' was not found. …" */
export function resourceNotFound(type: string, name: string, resourceGroup: string): SandboxResponse {
  return armError(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

export function resourceGroupNotFound(name: string): SandboxResponse {
  return armError(404, "ResourceGroupNotFound", `Resource group '${name}' could not be found.`);
}

export function subscriptionNotFound(id: string): SandboxResponse {
  return armError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
}

export function missingApiVersion(): SandboxResponse {
  return armError(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
}

/** ARM's own types (subscriptions, resource groups, tenants) answer InvalidApiVersionParameter. */
export function invalidApiVersion(apiVersion: string, supported: readonly string[]): SandboxResponse {
  return armError(
    400,
    "InvalidApiVersionParameter",
    `The api-version '${apiVersion}' is invalid. The supported versions are '${[...supported].reverse().join(",")}'.`,
  );
}

/** Resource-provider types answer NoRegisteredProviderFound, listing versions and locations. */
export function noRegisteredProvider(
  location: string,
  apiVersion: string,
  type: string,
  supported: readonly string[],
  locations: readonly string[],
): SandboxResponse {
  return armError(
    400,
    "NoRegisteredProviderFound",
    `No registered resource provider found for location '${location}' and API version '${apiVersion}' for type '${type}'. The supported api-versions are '${supported.join(", ")}'. The supported locations are '${locations.join(", ")}'.`,
  );
}

export function invalidResourceType(type: string, namespace: string, apiVersion: string): SandboxResponse {
  return armError(
    404,
    "InvalidResourceType",
    `The resource type '${type}' could not be found in the namespace '${namespace}' for api version '${apiVersion}'.`,
  );
}

export function invalidResourceNamespace(namespace: string): SandboxResponse {
  return armError(400, "InvalidResourceNamespace", `The resource namespace '${namespace}' is invalid.`);
}

export function invalidRequestContent(detail: string): SandboxResponse {
  return armError(400, "InvalidRequestContent", `The request content was invalid and could not be deserialized: '${detail}'.`);
}

/** A PUT whose body is not a JSON object. */
export const missingBody = (): SandboxResponse => invalidRequestContent("Missing request body.");

export function locationRequired(): SandboxResponse {
  return armError(400, "LocationRequired", "The location property is required for this definition.");
}

export function authorizationFailed(clientId: string, objectId: string, action: string, scope: string): SandboxResponse {
  return armError(
    403,
    "AuthorizationFailed",
    `The client '${clientId}' with object id '${objectId}' does not have authorization to perform action '${action}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
  );
}

/** ARM's 409 for a resource provider the subscription has not registered (any request to it). */
export function missingSubscriptionRegistration(namespace: string): SandboxResponse {
  const message = `The subscription is not registered to use namespace '${namespace}'. See https://aka.ms/rps-not-found for how to register subscriptions.`;
  return {
    status: 409,
    body: { error: { code: "MissingSubscriptionRegistration", message, details: [{ code: "MissingSubscriptionRegistration", target: namespace, message }] } },
  };
}

export function internalError(): SandboxResponse {
  return armError(500, "InternalServerError", "Encountered internal server error. Diagnostic information: timestamp '" + new Date().toISOString() + "'.");
}
