// Contract between the ARM router (router.ts) and the route modules of each resource
// provider, so they can be written and tested apart.
import type { AccessTokenClaims, SandboxRequest, SandboxResponse, ServiceContext } from "../core/types.js";

export interface ArmCall {
  req: SandboxRequest;
  /** Values of the `{name}` segments of the route's path template, as sent (case preserved). */
  params: Record<string, string>;
  /** The `api-version` query value, already checked against the route's list. */
  apiVersion: string;
  /** Claims of the caller's verified ARM token. */
  caller: AccessTokenClaims;
  ctx: ServiceContext;
  /** Parsed JSON body (undefined when empty); malformed JSON was already answered by the router. */
  json?: any;
}

export interface ArmRoute {
  /** Path template, matched case-insensitively segment by segment, e.g.
   *  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{resourceName}".
   *  A template segment "{*scope}" matches one or more segments (role assignments at any scope). */
  path: string;
  methods: string[];
  /** api-versions Azure accepts for this resource type (from azure-rest-api-specs). */
  apiVersions: readonly string[];
  /** The RBAC action the caller needs at `scope(call)`, e.g. "Microsoft.ManagedIdentity/userAssignedIdentities/write";
   *  undefined = any authenticated caller (subscriptions list, permissions API). */
  action?: (call: ArmCall) => string | undefined;
  /** Scope the action is checked at (a resource ID); defaults to the request path. */
  scope?: (call: ArmCall) => string;
  handle(call: ArmCall): Promise<SandboxResponse>;
}
