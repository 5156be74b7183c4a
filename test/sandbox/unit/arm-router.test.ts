// The ARM router on its own, with a fake TokenService and a fake RBAC decision (our own
// interfaces): template matching, check order, 403 wording, and that it never throws.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { World, type WorldState } from "../../../sandbox/core/world.js";
import type { SandboxRequest, ServiceContext, TokenService } from "../../../sandbox/core/types.js";
import type { ArmRoute } from "../../../sandbox/arm/route.js";

const permitted = vi.hoisted(() => ({ allow: true, calls: [] as Array<[string, string, string]> }));
vi.mock("../../../sandbox/arm/providers/authorization/rbac.js", () => ({
  isPermitted: (_w: unknown, oid: string, scope: string, action: string) => {
    permitted.calls.push([oid, scope, action]);
    return permitted.allow;
  },
}));

const { compileRoute, createArmHandler, matchSegments, splitPath } = await import("../../../sandbox/arm/router.js");

const SUB = "11111111-1111-1111-1111-111111111111";
const TENANT = "22222222-2222-2222-2222-222222222222";
const OID = "33333333-3333-3333-3333-333333333333";

function fakeCtx(): ServiceContext {
  const dir = mkdtempSync(join(tmpdir(), "arm-router-"));
  const world = World.create(dir, {
    tenantId: TENANT,
    subscriptionId: SUB,
    location: "eastus",
    foreignTenantId: "f",
    resourceGroups: { [`/subscriptions/${SUB}/resourcegroups/rg1`]: { id: `/subscriptions/${SUB}/resourceGroups/rg1`, name: "rg1", location: "eastus" } },
    resources: {},
    clusters: {},
    identities: {},
    federatedCredentials: {},
    roleAssignments: {},
    principals: {},
    kube: { resourceVersion: 1, objects: {} },
  } as unknown as WorldState);
  const tokens: TokenService = {
    async verifyBearer(authz, _aud, tenant) {
      if (!authz) return { ok: false, reason: "missing", message: "missing" };
      if (authz === "Bearer foreign" && tenant) return { ok: false, reason: "tenant", message: "The access token is from the wrong issuer." };
      return { ok: true, claims: { aud: "https://management.azure.com/", iss: "i", tid: TENANT, oid: OID, sub: OID, appid: "app", iat: 0, nbf: 0, exp: 0 } };
    },
    mintAccessToken: async () => "",
    jwks: async () => ({ keys: [] }),
    issuer: (t) => `https://sts.windows.net/${t}/`,
  };
  return {
    info: { tenantId: TENANT, subscriptionId: SUB, armAudience: "https://management.azure.com/", authorityHost: "https://127.0.0.1:1" } as any,
    world,
    tokens,
    latency: {} as any,
    caPem: "",
    clusterIssuer: {} as any,
    now: () => Date.now(),
  };
}

function req(method: string, pathAndQuery: string, opts: { auth?: string; body?: string } = {}): SandboxRequest {
  const url = new URL(pathAndQuery, "https://127.0.0.1");
  return {
    method,
    url,
    path: decodeURIComponent(url.pathname),
    headers: { authorization: opts.auth ?? "Bearer ok" },
    body: Buffer.from(opts.body ?? ""),
    raw: {} as any,
  };
}

const seen: any[] = [];
const routes: ArmRoute[] = [
  {
    path: "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Test/widgets/{name}",
    methods: ["GET", "PUT"],
    apiVersions: ["2024-01-01"],
    action: (c) => `Microsoft.Test/widgets/${c.req.method === "GET" ? "read" : "write"}`,
    async handle(call) {
      seen.push(call);
      return { status: 200, body: { name: call.params.name, json: call.json ?? null } };
    },
  },
  {
    path: "/{*scope}/providers/Microsoft.Test/assignments/{name}",
    methods: ["GET"],
    apiVersions: ["2022-04-01"],
    action: () => "Microsoft.Test/assignments/read",
    scope: (c) => c.params.scope,
    async handle(call) {
      return { status: 200, body: { scope: call.params.scope, name: call.params.name } };
    },
  },
  {
    path: "/subscriptions/{subscriptionId}/providers/Microsoft.Test/boom",
    methods: ["GET"],
    apiVersions: ["2024-01-01"],
    async handle() {
      throw new Error("handler bug");
    },
  },
];

let handle: ReturnType<typeof createArmHandler>;
beforeEach(() => {
  permitted.allow = true;
  permitted.calls.length = 0;
  seen.length = 0;
  handle = createArmHandler(fakeCtx(), routes);
});

const widget = `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.Test/widgets/w1`;

describe("path templates", () => {
  it("splits paths collapsing leading slashes and ignoring a trailing one", () => {
    expect(splitPath("//subscriptions/x/")).toEqual(["subscriptions", "x"]);
  });

  it("matches {*scope} over one or more segments, even when the scope holds 'providers'", () => {
    const c = compileRoute(routes[1]);
    const nested = splitPath(`/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv/providers/Microsoft.Test/assignments/a1`);
    expect(matchSegments(c.segments, nested)).toEqual({ scope: `/subscriptions/${SUB}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv`, name: "a1" });
    expect(matchSegments(c.segments, splitPath("/providers/Microsoft.Test/assignments/a1"))).toBeUndefined();
  });
});

describe("the request pipeline", () => {
  it("dispatches case-insensitively, keeping the caller's case in params", async () => {
    const r = await handle(req("GET", `${widget.toUpperCase().replace("W1", "W1")}?api-version=2024-01-01`));
    expect(r.status).toBe(200);
    expect((r.body as any).name).toBe("W1");
  });

  it("checks RBAC with the route's action at the request path, or at the route's scope", async () => {
    await handle(req("GET", `${widget}?api-version=2024-01-01`));
    expect(permitted.calls).toEqual([[OID, widget, "Microsoft.Test/widgets/read"]]);
    await handle(req("GET", `/subscriptions/${SUB}/providers/Microsoft.Test/assignments/a1?api-version=2022-04-01`));
    expect(permitted.calls[1]).toEqual([OID, `/subscriptions/${SUB}`, "Microsoft.Test/assignments/read"]);
  });

  it("answers 403 AuthorizationFailed in Azure's words when RBAC says no", async () => {
    permitted.allow = false;
    const r = await handle(req("PUT", `${widget}?api-version=2024-01-01`, { body: "{}" }));
    expect(r.status).toBe(403);
    expect(r.body).toEqual({
      error: {
        code: "AuthorizationFailed",
        message: `The client '${OID}' with object id '${OID}' does not have authorization to perform action 'Microsoft.Test/widgets/write' over scope '${widget}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
      },
    });
    expect(seen).toHaveLength(0);
  });

  it("runs the checks in ARM's order: path, api-version, token, body, RBAC, resource group", async () => {
    const none = { auth: "" };
    expect(((await handle(req("GET", `/subscriptions/${SUB}/providers/Microsoft.Test/nothing`, none))).body as any).error.code).toBe("InvalidResourceType");
    expect(((await handle(req("GET", widget, none))).body as any).error.code).toBe("MissingApiVersionParameter");
    expect(((await handle(req("GET", `${widget}?api-version=2020-01-01`, none))).body as any).error.code).toBe("NoRegisteredProviderFound");
    const noToken = await handle(req("GET", `${widget}?api-version=2024-01-01`, { auth: "" }));
    expect(noToken.status).toBe(401);
    expect((noToken.body as any).error.code).toBe("AuthenticationFailed");
    expect(noToken.headers?.["www-authenticate"]).toContain(`authorization_uri="https://127.0.0.1:1/${TENANT}"`);
    permitted.allow = false;
    expect(((await handle(req("PUT", `${widget}?api-version=2024-01-01`, { body: "{oops" }))).body as any).error.code).toBe("InvalidRequestContent");
    permitted.allow = true;
    const missingGroup = await handle(req("GET", `/subscriptions/${SUB}/resourceGroups/rg-none/providers/Microsoft.Test/widgets/w1?api-version=2024-01-01`));
    expect(missingGroup.status).toBe(404);
    expect((missingGroup.body as any).error).toEqual({ code: "ResourceGroupNotFound", message: "Resource group 'rg-none' could not be found." });
    const otherSub = await handle(
      req("GET", `/subscriptions/99999999-9999-9999-9999-999999999999/resourceGroups/rg1/providers/Microsoft.Test/widgets/w1?api-version=2024-01-01`),
    );
    expect((otherSub.body as any).error.code).toBe("SubscriptionNotFound");
  });

  it("maps a foreign-tenant token to InvalidAuthenticationTokenTenant", async () => {
    const r = await handle(req("GET", `${widget}?api-version=2024-01-01`, { auth: "Bearer foreign" }));
    expect(r.status).toBe(401);
    expect((r.body as any).error.code).toBe("InvalidAuthenticationTokenTenant");
  });

  it("hands the parsed body to the handler and answers 405 for a method the path does not take", async () => {
    await handle(req("PUT", `${widget}?api-version=2024-01-01`, { body: '{"a":1}' }));
    expect(seen[0].json).toEqual({ a: 1 });
    expect(seen[0].apiVersion).toBe("2024-01-01");
    const m = await handle(req("DELETE", `${widget}?api-version=2024-01-01`));
    expect(m.status).toBe(405);
    expect((m.body as any).error.code).toBe("MethodNotAllowed");
  });

  it("turns a handler exception into ARM's 500 and always sets ARM's headers", async () => {
    const r = await handle(req("GET", `/subscriptions/${SUB}/providers/Microsoft.Test/boom?api-version=2024-01-01`));
    expect(r.status).toBe(500);
    expect((r.body as any).error.code).toBe("InternalServerError");
    expect(r.headers?.["x-ms-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.headers?.["x-ms-correlation-request-id"]).toBeTruthy();
  });
});
