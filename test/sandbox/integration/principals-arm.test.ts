// `aks-wi sandbox principal create` (the built CLI against a running sandbox), then Azure as that
// principal sees it through the real SDKs: the sandbox cloud profile signs in as it when
// AZURE_CLIENT_ID / AZURE_CLIENT_SECRET are set, ARM enforces exactly its role assignments (a
// Contributor's role-assignment write is 403 AuthorizationFailed through @azure/arm-authorization),
// and Microsoft.Authorization/permissions answers the caller's own effective permissions.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { AuthorizationManagementClient, type Permission } from "@azure/arm-authorization";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { decodeJwt } from "jose";
import { chooseProfile, sandboxCloud } from "../../../src/azure/cloud.js";
import { BUILT_IN_ROLES } from "../../../sandbox/arm/providers/authorization/built-in-roles.js";
import { operatorOf } from "../../../sandbox/core/seed.js";
import { startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { failure } from "./calls.harness.js";

const BIN = join(process.cwd(), "bin", "aks-wi");
const CONTRIBUTOR = BUILT_IN_ROLES.find((r) => r.roleName === "Contributor")!;
const READER = BUILT_IN_ROLES.find((r) => r.roleName === "Reader")!;

/** The built CLI, run asynchronously (the sandbox shares this process's event loop). */
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { encoding: "utf8", env: { ...process.env, AZURE_CLIENT_ID: "", AZURE_CLIENT_SECRET: "" } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

let sb: TestSandbox;
let sub: string;
let rg: string;
let contributor: { clientId: string; clientSecret: string; tenantId: string; objectId: string };
let createOut: string;

/** The sandbox profile as a principal's environment makes it. */
const profileOf = (p: { clientId: string; clientSecret: string }, tenant?: string) =>
  sandboxCloud(sb.dir, { AZURE_CLIENT_ID: p.clientId, AZURE_CLIENT_SECRET: p.clientSecret, ...(tenant ? { AZURE_TENANT_ID: tenant } : {}) });

beforeAll(async () => {
  sb = await startTestSandbox();
  sub = sb.info.subscriptionId;
  rg = sb.info.resourceGroup;
  const r = await cli(["sandbox", "principal", "create", "ci-contributor", "--dir", sb.dir, "--role", "Contributor", "--scope", `/subscriptions/${sub}`]);
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
  createOut = r.stdout;
  contributor = JSON.parse(r.stdout);
}, 60_000);
afterAll(async () => sb?.stop());

describe("sandbox principal create", () => {
  it("prints the credentials as JSON and keeps them in DIR/principals/NAME.json, readable only by its owner", () => {
    expect(Object.keys(contributor)).toEqual(["clientId", "clientSecret", "tenantId", "objectId"]);
    expect(contributor.tenantId).toBe(sb.info.tenantId);
    expect(contributor.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(contributor.objectId).toMatch(/^[0-9a-f-]{36}$/);
    expect(contributor.clientSecret.length).toBeGreaterThanOrEqual(32);
    const file = join(sb.dir, "principals", "ci-contributor.json");
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(contributor);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(createOut).toBe(JSON.stringify(contributor, null, 2) + "\n");
    // the world keeps a hash, never the secret
    expect(readFileSync(join(sb.dir, "state.json"), "utf8")).not.toContain(contributor.clientSecret);
  });

  it("gives it exactly the role assignments asked for", async () => {
    const op = await sandboxCloud(sb.dir, {}); // the operator, who may read every assignment
    const authz = new AuthorizationManagementClient(op.credential(), sub, op.clientOptions());
    const mine = [];
    for await (const a of authz.roleAssignments.listForSubscription({ filter: `principalId eq '${contributor.objectId}'` })) mine.push(a);
    expect(mine.map((a) => [a.scope, a.roleDefinitionId, a.principalType])).toEqual([
      [`/subscriptions/${sub}`, `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR.id}`, "ServicePrincipal"],
    ]);
  });

  it("refuses what it cannot make, as one-line usage errors, making nothing", async () => {
    const before = Object.keys(sb.sandbox.world.state.principals).length;
    const cases: Array<[string[], RegExp]> = [
      [["bad-role", "--role", "Overlord"], /^error: unknown role "Overlord": give the name or GUID of one of the sandbox's built-in roles/],
      [
        ["bad-scope", "--role", "Reader", "--scope", `/subscriptions/${sub}/resourceGroups/rg-nope`],
        /^error: scope "\/subscriptions\/.*\/resourceGroups\/rg-nope": Resource group 'rg-nope' could not be found\./,
      ],
      [
        ["other-sub", "--role", "Reader", "--scope", "/subscriptions/00000000-0000-0000-0000-000000000000"],
        /^error: scope .* is not in the sandbox's subscription/,
      ],
      [["Bad_Name"], /^error: principal name "Bad_Name" is not valid/],
      [["ci-contributor", "--role", "Reader"], /^error: a principal named "ci-contributor" already exists in this sandbox .*\n {2}hint: pick another name/],
      [
        ["pairs", "--role", "Reader", "--role", "Contributor", "--scope", `/subscriptions/${sub}`],
        /^error: 2 --role but 1 --scope\n {2}hint: give one --scope per --role/,
      ],
      [["half-kube", "--kube-namespace", "app"], /^error: --kube-namespace and --kube-role go together/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(["sandbox", "principal", "create", ...args, "--dir", sb.dir]);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: "" });
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(Object.keys(sb.sandbox.world.state.principals).length).toBe(before);
  });

  it("needs a running sandbox", async () => {
    const r = await cli(["sandbox", "principal", "create", "x", "--dir", join(sb.dir, "nowhere")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: no sandbox is running in /);
  });
});

describe("signed in as the principal (AZURE_CLIENT_ID / AZURE_CLIENT_SECRET)", () => {
  it("the sandbox cloud profile gets the principal's token, not the operator's, with or without AZURE_TENANT_ID", async () => {
    for (const tenant of [undefined, sb.info.tenantId]) {
      const p = profileOf(contributor, tenant);
      const claims = decodeJwt((await p.credential().getToken(p.armScope))!.token);
      expect({ appid: claims.appid, oid: claims.oid, tid: claims.tid }).toEqual({
        appid: contributor.clientId,
        oid: contributor.objectId,
        tid: sb.info.tenantId,
      });
    }
    // chooseProfile hands the environment on; one of the two alone leaves the operator
    const chosen = chooseProfile(
      { sandbox: true, sandboxDir: sb.dir },
      { AZURE_CLIENT_ID: contributor.clientId, AZURE_CLIENT_SECRET: contributor.clientSecret },
    );
    expect(decodeJwt((await chosen.credential().getToken(chosen.armScope))!.token).oid).toBe(contributor.objectId);
    const half = sandboxCloud(sb.dir, { AZURE_CLIENT_ID: contributor.clientId });
    expect(decodeJwt((await half.credential().getToken(half.armScope))!.token).oid).toBe(operatorOf(sb.sandbox.world.state).principalId);
  });

  it("a Contributor manages resources but a role-assignment write is 403 AuthorizationFailed (@azure/arm-authorization)", async () => {
    const p = profileOf(contributor);
    const msi = new ManagedServiceIdentityClient(p.credential(), sub, p.clientOptions());
    const id = await msi.userAssignedIdentities.createOrUpdate(rg, "id-by-contributor", { location: sb.info.location });
    const aks = new ContainerServiceClient(p.credential(), sub, p.clientOptions());
    expect((await aks.managedClusters.get(rg, sb.info.clusterName)).name).toBe(sb.info.clusterName);
    const authz = new AuthorizationManagementClient(p.credential(), sub, p.clientOptions());
    const scope = `/subscriptions/${sub}/resourceGroups/${rg}`;
    const e = await failure(
      authz.roleAssignments.create(scope, "7d7e0a0c-0000-4000-8000-000000000001", {
        roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${READER.id}`,
        principalId: id.principalId!,
        principalType: "ServicePrincipal",
      }),
    );
    expect(e.statusCode).toBe(403);
    expect(e.code).toBe("AuthorizationFailed");
    expect(e.message).toBe(
      `The client '${contributor.objectId}' with object id '${contributor.objectId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write' over scope '${scope}/providers/Microsoft.Authorization/roleAssignments/7d7e0a0c-0000-4000-8000-000000000001' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  });

  it("its permissions call lists Contributor's actions and notActions, the caller's own", async () => {
    const p = profileOf(contributor);
    const authz = new AuthorizationManagementClient(p.credential(), sub, p.clientOptions());
    const perms: Permission[] = [];
    for await (const x of authz.permissions.listForResourceGroup(rg)) perms.push(x);
    const c = CONTRIBUTOR.permissions[0];
    expect(perms).toEqual([{ actions: c.actions, notActions: c.notActions, dataActions: c.dataActions, notDataActions: c.notDataActions }]);
    // the operator's own call answers the operator's (Owner's) permissions, not the principal's
    const op = sandboxCloud(sb.dir, {});
    const opPerms: Permission[] = [];
    for await (const x of new AuthorizationManagementClient(op.credential(), sub, op.clientOptions()).permissions.listForResourceGroup(rg)) opPerms.push(x);
    expect(opPerms).toEqual([{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it("a Reader on one resource group can read there and nothing more; a principal with no role is refused everywhere", async () => {
    const made = await cli([
      "sandbox",
      "principal",
      "create",
      "rg-reader",
      "--dir",
      sb.dir,
      "--role",
      READER.id,
      "--scope",
      `/subscriptions/${sub}/resourceGroups/${rg}`,
    ]);
    expect(made.code).toBe(0);
    const reader = JSON.parse(made.stdout);
    const p = profileOf(reader);
    const aks = new ContainerServiceClient(p.credential(), sub, p.clientOptions());
    expect((await aks.managedClusters.get(rg, sb.info.clusterName)).name).toBe(sb.info.clusterName);
    const msi = new ManagedServiceIdentityClient(p.credential(), sub, p.clientOptions());
    const write = await failure(msi.userAssignedIdentities.createOrUpdate(rg, "id-by-reader", { location: sb.info.location }));
    expect([write.statusCode, write.code]).toEqual([403, "AuthorizationFailed"]);
    expect(write.message).toContain("'Microsoft.ManagedIdentity/userAssignedIdentities/write'");

    const none = JSON.parse((await cli(["sandbox", "principal", "create", "no-roles", "--dir", sb.dir])).stdout);
    const q = profileOf(none);
    const denied = await failure(new ContainerServiceClient(q.credential(), sub, q.clientOptions()).managedClusters.get(rg, sb.info.clusterName));
    expect([denied.statusCode, denied.code]).toEqual([403, "AuthorizationFailed"]);
    const perms: Permission[] = [];
    for await (const x of new AuthorizationManagementClient(q.credential(), sub, q.clientOptions()).permissions.listForResourceGroup(rg)) perms.push(x);
    expect(perms).toEqual([]);
  });
});
