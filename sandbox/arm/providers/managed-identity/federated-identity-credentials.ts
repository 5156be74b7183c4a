// Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials: PUT/GET/DELETE
// and a paged list ($top, $skiptoken), with the managed-identity service's constraints: its
// naming rule, exactly one audience, an https issuer, issuer+subject unique per identity, at most
// 20 per identity, one write at a time per identity (409 otherwise), and ParentResourceNotFound
// while a just-created identity is still replicating.
import { setTimeout as sleep } from "node:timers/promises";
import type { SandboxResponse, ServiceContext } from "../../../core/types.js";
import type { FederatedCredentialRecord, IdentityRecord, World } from "../../../core/world.js";
import { key } from "../../../core/world.js";
import type { ArmCall, ArmRoute } from "../../route.js";
import { armError, resourceNotFound } from "../../errors.js";
import { IDENTITY_API_VERSIONS, IDENTITY_PATH, IDENTITY_TYPE, findIdentity } from "./user-assigned-identities.js";

/** federatedIdentityCredentials exist from 2022-01-31-preview on. */
const FIC_API_VERSIONS = IDENTITY_API_VERSIONS.filter((v) => v >= "2022-01-31-preview");
const FIC_TYPE = `${IDENTITY_TYPE}/federatedIdentityCredentials`;

/** ARM's answer when a child is written or read under a parent that does not exist (yet); the
 *  parent ID in ARM's own casing ("resourceGroups"). */
function parentResourceNotFound(op: "read" | "write" | "delete", subscriptionId: string, resourceGroup: string, identityName: string): SandboxResponse {
  const parent = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${IDENTITY_TYPE}/${identityName}`;
  return armError(
    404,
    "ParentResourceNotFound",
    `Failed to perform '${op}' on resource(s) of type 'userAssignedIdentities/federatedIdentityCredentials', because the parent resource '${parent}' could not be found.`,
  );
}

// Identities with a federated-credential write in flight, per world (tests run several sandboxes
// in one process). A second write arriving while one is in flight gets Azure's 409.
const writesInFlight = new WeakMap<World, Set<string>>();

/** Claims the identity's write slot; undefined when another write holds it. */
function claimWriteSlot(ctx: ServiceContext, identityKey: string): (() => void) | undefined {
  let set = writesInFlight.get(ctx.world);
  if (!set) writesInFlight.set(ctx.world, (set = new Set()));
  if (set.has(identityKey)) return undefined;
  set.add(identityKey);
  return () => set!.delete(identityKey);
}

/** Azure: alphanumerics, dash and underscore, 3–120 characters, first one alphanumeric. */
const FIC_NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
const MAX_FICS_PER_IDENTITY = 20;

const FIC_COLLECTION = `${IDENTITY_PATH}/federatedIdentityCredentials`;
const FIC_PATH = `${FIC_COLLECTION}/{federatedIdentityCredentialResourceName}`;

function ficBody(f: FederatedCredentialRecord): Record<string, unknown> {
  return { id: f.id, name: f.name, type: FIC_TYPE, properties: { issuer: f.issuer, subject: f.subject, audiences: [...f.audiences] } };
}

function ficsOf(call: ArmCall, identity: IdentityRecord): FederatedCredentialRecord[] {
  const k = key(identity.id);
  return Object.values(call.ctx.world.state.federatedCredentials)
    .filter((f) => f.identityKey === k)
    .sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
}

/** The lower-cased identity ID in the 409 message, as the service prints it (resource group name kept). */
function concurrentWrites(identity: IdentityRecord): SandboxResponse {
  const idForMessage = `/subscriptions/${identity.id.split("/")[2]}/resourcegroups/${identity.resourceGroup}/providers/microsoft.managedidentity/userassignedidentities/${identity.name}`;
  return armError(
    409,
    "ConcurrentFederatedIdentityCredentialsWritesForSingleManagedIdentity",
    `Too many Federated Identity Credentials are written concurrently for the managed identity '${idForMessage}'. Concurrent Federated Identity Credentials writes under the same managed identity are not supported.`,
  );
}

function badRequest(message: string): SandboxResponse {
  return armError(400, "BadRequest", message);
}

interface FicInput {
  issuer: string;
  subject: string;
  audiences: string[];
}

/** Request validation the service does before looking at the parent. */
function validateBody(name: string, json: unknown): FicInput | SandboxResponse {
  if (!FIC_NAME_RULE.test(name)) return badRequest(`Federated Identity Credential name '${name}' is invalid.`);
  const p = (json as { properties?: unknown } | undefined)?.properties;
  if (!p || typeof p !== "object" || Object.keys(p).length === 0) return badRequest("Federated Identity Credential from HTTP body has empty properties.");
  const { issuer, subject, audiences } = p as Record<string, unknown>;
  if (typeof issuer !== "string" || issuer === "" || typeof subject !== "string" || subject === "" || audiences === undefined || audiences === null) {
    return badRequest("The request format was unexpected. Federated Identity Credential must specify 'issuer', 'subject' and 'audience'.");
  }
  if (!Array.isArray(audiences) || audiences.length !== 1 || typeof audiences[0] !== "string" || audiences[0] === "") {
    return armError(400, "InvalidFederatedIdentityCredentialsAudienceLength", "Federated identity credentials must have exactly 1 audience.");
  }
  let url: URL | undefined;
  try {
    url = new URL(issuer);
  } catch {
    url = undefined;
  }
  if (!url || url.protocol !== "https:") {
    return badRequest(`The request format was unexpected. Federated Identity Credential issuer '${issuer}' must be a valid URL that uses the 'https' scheme.`);
  }
  return { issuer, subject, audiences: [audiences[0]] };
}

/** The identity if it exists and has replicated far enough to take federated credentials. */
function writableParent(call: ArmCall, op: "write" | "delete"): IdentityRecord | SandboxResponse {
  const { ctx, params } = call;
  const identity = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
  const notFound = parentResourceNotFound(op, params.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!identity) return notFound;
  if (ctx.now() - identity.createdAt < ctx.latency.ficParentNotFoundMs) return notFound;
  return identity;
}

/** Runs a write holding the identity's write slot for the service's write time. With no write
 *  time the write is applied without yielding, so it can never overlap another. */
async function withWriteSlot(call: ArmCall, identity: IdentityRecord, write: () => SandboxResponse): Promise<SandboxResponse> {
  const ms = call.ctx.latency.identityWriteMs;
  if (ms <= 0) return write();
  const release = claimWriteSlot(call.ctx, key(identity.id));
  if (!release) return concurrentWrites(identity);
  try {
    await sleep(ms);
    return write();
  } finally {
    release();
  }
}

async function putFic(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const name = params.federatedIdentityCredentialResourceName;
  const input = validateBody(name, call.json);
  if (!("issuer" in input)) return input;
  const parent = writableParent(call, "write");
  if (!("clientId" in parent)) return parent;

  return withWriteSlot(call, parent, () => {
    const identity = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
    if (!identity) return parentResourceNotFound("write", params.subscriptionId, params.resourceGroupName, params.resourceName);
    const siblings = ficsOf(call, identity);
    const existing = siblings.find((f) => key(f.name) === key(name));
    const clash = siblings.find((f) => f !== existing && f.issuer === input.issuer && f.subject === input.subject);
    if (clash) return armError(409, "Conflict", "Issuer and subject combination already exists for this Managed Identity.");
    if (!existing && siblings.length >= MAX_FICS_PER_IDENTITY) {
      return badRequest(
        `The request format was unexpected. A managed identity can have at most ${MAX_FICS_PER_IDENTITY} Federated Identity Credentials, and '${identity.name}' already has ${siblings.length}.`,
      );
    }
    const now = ctx.now();
    if (existing) {
      Object.assign(existing, input, { updatedAt: now });
      ctx.world.save();
      return { status: 200, body: ficBody(existing) };
    }
    const record: FederatedCredentialRecord = {
      id: `${identity.id}/federatedIdentityCredentials/${name}`,
      name,
      identityKey: key(identity.id),
      ...input,
      createdAt: now,
      updatedAt: now,
    };
    ctx.world.state.federatedCredentials[key(record.id)] = record;
    ctx.world.save();
    return { status: 201, body: ficBody(record) };
  });
}

function findFic(call: ArmCall, identity: IdentityRecord): FederatedCredentialRecord | undefined {
  return call.ctx.world.state.federatedCredentials[key(`${identity.id}/federatedIdentityCredentials/${call.params.federatedIdentityCredentialResourceName}`)];
}

async function getFic(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params } = call;
  const identity = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!identity) return parentResourceNotFound("read", params.subscriptionId, params.resourceGroupName, params.resourceName);
  const fic = findFic(call, identity);
  if (!fic)
    return resourceNotFound(
      `${IDENTITY_TYPE}/${identity.name}/federatedIdentityCredentials`,
      params.federatedIdentityCredentialResourceName,
      params.resourceGroupName,
    );
  return { status: 200, body: ficBody(fic) };
}

async function deleteFic(call: ArmCall): Promise<SandboxResponse> {
  const { ctx } = call;
  const parent = writableParent(call, "delete");
  if (!("clientId" in parent)) return parent;
  if (!findFic(call, parent)) return { status: 204 };
  return withWriteSlot(call, parent, () => {
    const fic = findFic(call, parent);
    if (!fic) return { status: 204 };
    delete ctx.world.state.federatedCredentials[key(fic.id)];
    ctx.world.save();
    return { status: 200 };
  });
}

/** Paging as the service does it: `$top` sets the page size, `nextLink` carries `$skiptoken`. */
async function listFics(call: ArmCall): Promise<SandboxResponse> {
  const { ctx, params, req } = call;
  const identity = findIdentity(ctx.world, params.subscriptionId, params.resourceGroupName, params.resourceName);
  if (!identity) return parentResourceNotFound("read", params.subscriptionId, params.resourceGroupName, params.resourceName);
  const all = ficsOf(call, identity);

  const topRaw = req.url.searchParams.get("$top");
  const top = topRaw === null ? undefined : Number(topRaw);
  if (top !== undefined && (!Number.isInteger(top) || top < 1)) {
    return badRequest(`The request format was unexpected. The value '${topRaw}' of the query parameter '$top' is invalid; it must be a positive integer.`);
  }
  const skipRaw = req.url.searchParams.get("$skiptoken");
  const start = skipRaw === null ? 0 : decodeSkipToken(skipRaw);
  if (start === undefined) return badRequest(`The request format was unexpected. The value of the query parameter '$skiptoken' is invalid.`);

  const end = top === undefined ? all.length : Math.min(all.length, start + top);
  const body: Record<string, unknown> = { value: all.slice(start, end).map(ficBody) };
  if (end < all.length) {
    const next = new URL(req.url.toString());
    next.search = "";
    next.searchParams.set("api-version", call.apiVersion);
    if (top !== undefined) next.searchParams.set("$top", String(top));
    next.searchParams.set("$skiptoken", encodeSkipToken(end));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}

// The continuation token is opaque to clients; it carries the offset of the next page.
function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString("base64url");
}

function decodeSkipToken(token: string): number | undefined {
  try {
    const o = JSON.parse(Buffer.from(token, "base64url").toString("utf8")).o;
    return Number.isInteger(o) && o >= 0 ? o : undefined;
  } catch {
    return undefined;
  }
}

const action = (verb: "read" | "write" | "delete") => () => `${FIC_TYPE}/${verb}`;

export const federatedIdentityCredentialRoutes: ArmRoute[] = [
  { path: FIC_PATH, methods: ["PUT"], apiVersions: FIC_API_VERSIONS, action: action("write"), handle: putFic },
  { path: FIC_PATH, methods: ["GET"], apiVersions: FIC_API_VERSIONS, action: action("read"), handle: getFic },
  { path: FIC_PATH, methods: ["DELETE"], apiVersions: FIC_API_VERSIONS, action: action("delete"), handle: deleteFic },
  { path: FIC_COLLECTION, methods: ["GET"], apiVersions: FIC_API_VERSIONS, action: action("read"), handle: listFics },
];
