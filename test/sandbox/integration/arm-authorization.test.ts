// Microsoft.Authorization on the sandbox's ARM through the real @azure/arm-authorization client
// (and raw HTTPS for a managed identity's own token): built-in role definitions, role
// assignments with Azure's conflict and replication rules, the permissions API, and RBAC
// enforcement — a workload's GET of a vault is 403 until a role grants read there.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { ManagedServiceIdentityClient } from "@azure/arm-msi";
import { sandboxCloud } from "../../../src/azure/cloud.js";
import { operatorOf } from "../../../sandbox/core/seed.js";
import { operatorCredential, startTestSandbox, type TestSandbox } from "../../helpers/sandbox.js";
import { failure, rawCall } from "./calls.harness.js";

const READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
const OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
const REPLICATION_MS = 60_000;

let sb: TestSandbox;
let authz: AuthorizationManagementClient;
let msi: ManagedServiceIdentityClient;
let sub: string;
let rg: string;
let vaultId: string;
let vaultName: string;

/** A GET on ARM with a given bearer token, trusting the sandbox CA. */
async function armGet(path: string, token: string): Promise<{ status: number; json: any }> {
  const r = await rawCall(sb, "GET", path, { token });
  return { status: r.status, json: r.json };
}

const roleId = (guid: string) => `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

/** A new identity whose principal is still inside Entra's replication window. */
async function newIdentity(name: string) {
  const i = await msi.userAssignedIdentities.createOrUpdate(rg, name, { location: "eastus" });
  return { clientId: i.clientId!, principalId: i.principalId! };
}

beforeAll(async () => {
  sb = await startTestSandbox({ latency: { principalReplicationMs: REPLICATION_MS } });
  const cred = await operatorCredential(sb);
  const options = sandboxCloud(sb.dir).clientOptions();
  sub = sb.info.subscriptionId;
  rg = sb.info.resourceGroup;
  authz = new AuthorizationManagementClient(cred, sub, options);
  msi = new ManagedServiceIdentityClient(cred, sub, options);
  const vault = Object.values(sb.sandbox.world.state.resources).find((r) => r.type === "Microsoft.KeyVault/vaults")!;
  vaultId = vault.id;
  vaultName = vault.name;
});
afterAll(async () => {
  await sb?.stop();
});

describe("roleDefinitions", () => {
  it("lists a built-in role by name at a scope, with its real GUID and permissions", async () => {
    const found = [];
    for await (const d of authz.roleDefinitions.list(`/subscriptions/${sub}`, { filter: "roleName eq 'Key Vault Secrets User'" })) found.push(d);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      name: KV_SECRETS_USER,
      id: roleId(KV_SECRETS_USER),
      type: "Microsoft.Authorization/roleDefinitions",
      roleName: "Key Vault Secrets User",
      roleType: "BuiltInRole",
      assignableScopes: ["/"],
      permissions: [
        {
          actions: [],
          notActions: [],
          dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
          notDataActions: [],
        },
      ],
    });

    const atVault = [];
    for await (const d of authz.roleDefinitions.list(vaultId, { filter: "roleName eq 'Reader'" })) atVault.push(d);
    expect(atVault.map((d) => d.id)).toEqual([`${vaultId}/providers/Microsoft.Authorization/roleDefinitions/${READER}`]);

    const builtIn = [];
    for await (const d of authz.roleDefinitions.list(`/subscriptions/${sub}/resourceGroups/${rg}`, { filter: "type eq 'BuiltInRole'" }))
      builtIn.push(d.roleName);
    expect(builtIn).toEqual(
      expect.arrayContaining([
        "Owner",
        "Contributor",
        "Reader",
        "User Access Administrator",
        "AcrPull",
        "Storage Blob Data Reader",
        "Azure Kubernetes Service Cluster Admin Role",
      ]),
    );

    const none = [];
    for await (const d of authz.roleDefinitions.list(`/subscriptions/${sub}`, { filter: "roleName eq 'No Such Role'" })) none.push(d);
    expect(none).toEqual([]);
  });

  it("gets one by ID and answers RoleDefinitionDoesNotExist for an unknown one", async () => {
    expect((await authz.roleDefinitions.get(`/subscriptions/${sub}`, OWNER)).roleName).toBe("Owner");
    expect((await authz.roleDefinitions.getById(roleId(READER))).roleName).toBe("Reader");
    const e = await failure(authz.roleDefinitions.get(`/subscriptions/${sub}`, guid(1)));
    expect(e).toMatchObject({ statusCode: 404, code: "RoleDefinitionDoesNotExist" });
  });
});

describe("roleAssignments", () => {
  it("creates at a resource scope, answers again for the same name, refuses a second name for the same triple", async () => {
    const id = await newIdentity("id-ra");
    const params = { roleDefinitionId: roleId(KV_SECRETS_USER), principalId: id.principalId, principalType: "ServicePrincipal" as const };
    const statuses: number[] = [];
    const onResponse = (r: { status: number }) => statuses.push(r.status);

    const made = await authz.roleAssignments.create(vaultId, guid(10), params, { onResponse });
    expect(made).toMatchObject({
      name: guid(10),
      id: `${vaultId}/providers/Microsoft.Authorization/roleAssignments/${guid(10)}`,
      type: "Microsoft.Authorization/roleAssignments",
      scope: vaultId,
      roleDefinitionId: roleId(KV_SECRETS_USER),
      principalId: id.principalId,
      principalType: "ServicePrincipal",
    });
    const again = await authz.roleAssignments.create(vaultId, guid(10), params, { onResponse });
    expect(again.id).toBe(made.id);
    expect(statuses).toEqual([201, 201]);

    const dup = await failure(authz.roleAssignments.create(vaultId, guid(11), params));
    expect(dup).toMatchObject({
      statusCode: 409,
      code: "RoleAssignmentExists",
      message: `The role assignment already exists. The ID of the existing role assignment is ${guid(10).replace(/-/g, "")}.`,
    });

    // The same name cannot be reused for other content.
    const reuse = await failure(authz.roleAssignments.create(vaultId, guid(10), { ...params, roleDefinitionId: roleId(READER) }));
    expect(reuse).toMatchObject({ statusCode: 409, code: "RoleAssignmentUpdateNotPermitted" });

    expect((await authz.roleAssignments.get(vaultId, guid(10))).principalId).toBe(id.principalId);
    expect((await authz.roleAssignments.getById(made.id!)).name).toBe(guid(10));
  });

  it("answers PrincipalNotFound inside Entra's replication window unless principalType is ServicePrincipal", async () => {
    const id = await newIdentity("id-fresh");
    const e = await failure(authz.roleAssignments.create(vaultId, guid(20), { roleDefinitionId: roleId(READER), principalId: id.principalId }));
    expect(e).toMatchObject({
      statusCode: 400,
      code: "PrincipalNotFound",
      message: `Principal ${id.principalId.replace(/-/g, "")} does not exist in the directory ${sb.info.tenantId}. Check that you have the correct principal ID. If you are creating this principal and then immediately assigning a role, this error might be related to a replication delay. In this case, set the role assignment principalType property to a value, such as ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype`,
    });
    const ok = await authz.roleAssignments.create(vaultId, guid(20), {
      roleDefinitionId: roleId(READER),
      principalId: id.principalId,
      principalType: "ServicePrincipal",
    });
    expect(ok.principalType).toBe("ServicePrincipal");

    // Once the window has passed, the type is no longer needed.
    const realNow = sb.sandbox.ctx.now;
    sb.sandbox.ctx.now = () => realNow() + REPLICATION_MS + 1_000;
    try {
      const later = await authz.roleAssignments.create(`/subscriptions/${sub}/resourceGroups/${rg}`, guid(21), {
        roleDefinitionId: roleId(READER),
        principalId: id.principalId,
      });
      expect(later.principalType).toBe("ServicePrincipal");
    } finally {
      sb.sandbox.ctx.now = realNow;
    }

    // The seeded operator is long replicated: no principalType needed for it.
    const op = operatorOf(sb.sandbox.world.state);
    const forOperator = await authz.roleAssignments.create(vaultId, guid(23), { roleDefinitionId: roleId(KV_SECRETS_USER), principalId: op.principalId });
    expect(forOperator.principalType).toBe("ServicePrincipal");
    await authz.roleAssignments.delete(vaultId, guid(23));

    // A principal Entra does not know at all is never found.
    const unknown = await failure(
      authz.roleAssignments.create(vaultId, guid(22), { roleDefinitionId: roleId(READER), principalId: guid(999), principalType: "ServicePrincipal" }),
    );
    expect(unknown).toMatchObject({ statusCode: 400, code: "PrincipalNotFound" });
  });

  it("refuses an unknown role, a name that is not a GUID, and a scope that does not exist", async () => {
    const op = operatorOf(sb.sandbox.world.state);
    const badRole = await failure(authz.roleAssignments.create(vaultId, guid(30), { roleDefinitionId: roleId(guid(31)), principalId: op.principalId }));
    expect(badRole).toMatchObject({
      statusCode: 400,
      code: "RoleDefinitionDoesNotExist",
      message: `The specified role definition with ID '${guid(31).replace(/-/g, "")}' does not exist.`,
    });
    const badName = await failure(authz.roleAssignments.create(vaultId, "not-a-guid", { roleDefinitionId: roleId(READER), principalId: op.principalId }));
    expect(badName.statusCode).toBe(400);
    const badScope = await failure(
      authz.roleAssignments.create(`/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.KeyVault/vaults/kv-nope`, guid(32), {
        roleDefinitionId: roleId(READER),
        principalId: op.principalId,
      }),
    );
    expect(badScope).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
  });

  it("lists by principal and atScope() at subscription, resource group and resource scope, and deletes", async () => {
    const id = await newIdentity("id-list");
    const sp = { principalId: id.principalId, principalType: "ServicePrincipal" as const };
    await authz.roleAssignments.create(`/subscriptions/${sub}/resourceGroups/${rg}`, guid(40), { roleDefinitionId: roleId(READER), ...sp });
    await authz.roleAssignments.create(vaultId, guid(41), { roleDefinitionId: roleId(KV_SECRETS_USER), ...sp });

    const names = async (it: AsyncIterable<{ name?: string }>) => {
      const out: string[] = [];
      for await (const a of it) out.push(a.name!);
      return out.sort();
    };
    const filter = `principalId eq '${id.principalId}'`;
    expect(await names(authz.roleAssignments.listForSubscription({ filter }))).toEqual([guid(40), guid(41)]);
    expect(await names(authz.roleAssignments.listForResourceGroup(rg, { filter }))).toEqual([guid(40), guid(41)]);
    expect(await names(authz.roleAssignments.listForResource(rg, "Microsoft.KeyVault", "vaults", vaultName, { filter }))).toEqual([guid(40), guid(41)]);
    expect(await names(authz.roleAssignments.listForScope(`/subscriptions/${sub}/resourceGroups/${rg}`, { filter: `atScope() and ${filter}` }))).toEqual([
      guid(40),
    ]);
    // atScope() at the subscription shows what is assigned there: the operator's Owner.
    const atSub = [];
    for await (const a of authz.roleAssignments.listForScope(`/subscriptions/${sub}`, { filter: "atScope()" })) atSub.push(a);
    expect(atSub.map((a) => a.roleDefinitionId)).toEqual([roleId(OWNER)]);

    const deleted = await authz.roleAssignments.delete(vaultId, guid(41));
    expect(deleted.name).toBe(guid(41));
    expect(await names(authz.roleAssignments.listForSubscription({ filter }))).toEqual([guid(40)]);
    const gone = await failure(authz.roleAssignments.get(vaultId, guid(41)));
    expect(gone).toMatchObject({ statusCode: 404, code: "RoleAssignmentNotFound" });
  });
});

describe("RBAC and the permissions API", () => {
  it("a workload's GET of the vault is 403 with only Key Vault Secrets User, 200 once Reader is assigned there", async () => {
    const id = await newIdentity("id-workload");
    await authz.roleAssignments.create(vaultId, guid(50), {
      roleDefinitionId: roleId(KV_SECRETS_USER),
      principalId: id.principalId,
      principalType: "ServicePrincipal",
    });
    const token = await sb.sandbox.ctx.tokens.mintAccessToken({
      tenantId: sb.info.tenantId,
      audience: sb.info.armAudience,
      clientId: id.clientId,
      principalId: id.principalId,
    });

    const denied = await armGet(`${vaultId}?api-version=2023-07-01`, token);
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("AuthorizationFailed");
    expect(denied.json.error.message).toContain(`'Microsoft.KeyVault/vaults/read' over scope '${vaultId}'`);

    // The permissions API answers any caller with its own effective permissions: here the data-plane role.
    const perms = await armGet(`${vaultId}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, token);
    expect(perms.status).toBe(200);
    expect(perms.json.value).toEqual([
      {
        actions: [],
        notActions: [],
        dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
        notDataActions: [],
      },
    ]);
    // Nothing applies at the resource group: the assignment is below it.
    expect(
      (await armGet(`/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, token)).json.value,
    ).toEqual([]);

    await authz.roleAssignments.create(vaultId, guid(51), { roleDefinitionId: roleId(READER), principalId: id.principalId, principalType: "ServicePrincipal" });
    const allowed = await armGet(`${vaultId}?api-version=2023-07-01`, token);
    expect(allowed.status).toBe(200);
    expect(allowed.json.id.toLowerCase()).toBe(vaultId.toLowerCase());
    expect((await armGet(`${vaultId}/providers/Microsoft.Authorization/permissions?api-version=2022-04-01`, token)).json.value).toHaveLength(2);
  });

  it("the operator sees its Owner permissions through the SDK at resource group and resource scope", async () => {
    const atRg = [];
    for await (const p of authz.permissions.listForResourceGroup(rg)) atRg.push(p);
    expect(atRg).toEqual([{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }]);
    const atVault = [];
    for await (const p of authz.permissions.listForResource(rg, "Microsoft.KeyVault", "", "vaults", vaultName)) atVault.push(p);
    expect(atVault).toEqual([{ actions: ["*"], notActions: [], dataActions: [], notDataActions: [] }]);
  });

  it("role assignment writes need Microsoft.Authorization/roleAssignments/write", async () => {
    const id = await newIdentity("id-no-rights");
    const token = await sb.sandbox.ctx.tokens.mintAccessToken({
      tenantId: sb.info.tenantId,
      audience: sb.info.armAudience,
      clientId: id.clientId,
      principalId: id.principalId,
    });
    const res = await armGet(`/subscriptions/${sub}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01`, token);
    expect(res.status).toBe(403);
    expect(res.json.error.message).toContain("'Microsoft.Authorization/roleAssignments/read'");
  });
});
