// The $filter grammars of the sandbox's roleAssignments and roleDefinitions lists, and which
// assignments a list at a scope shows (at, above and below; atScope() only at and above).
import { describe, expect, it } from "vitest";
import { World, type RoleAssignmentRecord, type WorldState } from "../../../sandbox/core/world.js";
import { listAssignments, parseAssignmentFilter } from "../../../sandbox/arm/providers/authorization/role-assignments.js";
import { parseRoleDefinitionFilter } from "../../../sandbox/arm/providers/authorization/role-definitions.js";

const SUB = "/subscriptions/11111111-1111-1111-1111-111111111111";
const RG = `${SUB}/resourceGroups/rg`;
const VAULT = `${RG}/providers/Microsoft.KeyVault/vaults/kv`;
const P1 = "aaaaaaaa-0000-0000-0000-000000000001";
const P2 = "bbbbbbbb-0000-0000-0000-000000000002";

describe("parseAssignmentFilter", () => {
  it.each([
    [null, { atScope: false }],
    ["", { atScope: false }],
    ["atScope()", { atScope: true }],
    [`principalId eq '${P1}'`, { atScope: false, principalId: P1 }],
    [`assignedTo('${P1}')`, { atScope: false, principalId: P1 }],
    [`atScope() and principalId eq '${P1}'`, { atScope: true, principalId: P1 }],
    [`ATSCOPE() AND PrincipalId EQ '${P1}'`, { atScope: true, principalId: P1 }],
  ])("%s → %j", (filter, expected) => {
    expect(parseAssignmentFilter(filter)).toEqual(expected);
  });

  it.each(["roleName eq 'Reader'", "principalId eq " + P1, "atScope() or principalId eq 'x'"])("rejects %s", (filter) => {
    expect(parseAssignmentFilter(filter)).toBeUndefined();
  });
});

describe("parseRoleDefinitionFilter", () => {
  it.each([
    ["roleName eq 'Key Vault Secrets User'", [{ field: "roleName", value: "Key Vault Secrets User" }]],
    ["type eq 'BuiltInRole'", [{ field: "type", value: "BuiltInRole" }]],
    [
      "roleName eq 'O''Brien' and type eq 'BuiltInRole'",
      [
        { field: "roleName", value: "O'Brien" },
        { field: "type", value: "BuiltInRole" },
      ],
    ],
  ])("%s", (filter, expected) => {
    expect(parseRoleDefinitionFilter(filter)).toEqual(expected);
  });

  it("rejects other expressions", () => {
    expect(parseRoleDefinitionFilter("roleName ne 'Reader'")).toBeUndefined();
    expect(parseRoleDefinitionFilter("description eq 'x'")).toBeUndefined();
  });
});

describe("listAssignments", () => {
  const rows: Array<[name: string, scope: string, principal: string]> = [
    ["a-sub", SUB, P1],
    ["b-rg", RG, P1],
    ["c-vault", VAULT, P1],
    ["d-vault-p2", VAULT, P2],
    ["e-other-rg", `${SUB}/resourceGroups/rg2`, P1],
  ];
  const roleAssignments: Record<string, RoleAssignmentRecord> = {};
  rows.forEach(([name, scope, principalId], i) => {
    const id = `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`;
    roleAssignments[id.toLowerCase()] = { id, name, scope, principalId, principalType: "ServicePrincipal", roleDefinitionId: "x", createdAt: i };
  });
  const world = new World({ roleAssignments } as unknown as WorldState, "/nonexistent/state.json");
  const names = (scope: string, filter: { atScope: boolean; principalId?: string }) => listAssignments(world, scope, filter).map((a) => a.name);

  it.each([
    [RG, { atScope: false }, ["a-sub", "b-rg", "c-vault", "d-vault-p2"]],
    [RG, { atScope: true }, ["a-sub", "b-rg"]],
    [RG, { atScope: false, principalId: P2 }, ["d-vault-p2"]],
    [VAULT, { atScope: true, principalId: P1 }, ["a-sub", "b-rg", "c-vault"]],
    [SUB, { atScope: true }, ["a-sub"]],
    [SUB, { atScope: false, principalId: P1.toUpperCase() }, ["a-sub", "b-rg", "c-vault", "e-other-rg"]],
  ])("at %s with %j", (scope, filter, expected) => {
    expect(names(scope, filter)).toEqual(expected);
  });
});
