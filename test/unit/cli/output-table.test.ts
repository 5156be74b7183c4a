// -o table: az's layout (a header, a rule of dashes per column, aligned cells) and the rows each
// command picks from its document.
import { describe, expect, it } from "vitest";
import { formatTable } from "../../../src/cli/output.js";
import { deleteRows, scalarRow, statusRows } from "../../../src/cli/tables.js";
import type { StatusReport } from "../../../src/init/status.js";

describe("formatTable", () => {
  it("aligns columns in first-seen order, empty cells for absent fields, one line per multi-line cell", () => {
    expect(
      formatTable([
        { Name: "a", Status: "PASS" },
        { Name: "longer", Detail: "x\n  y" },
      ]),
    ).toBe(["Name    Status  Detail", "------  ------  ------", "a       PASS", "longer          x y", ""].join("\n"));
  });
  it("prints nothing for no rows", () => expect(formatTable([])).toBe(""));
});

const report = (ns: string, drift: string[]): StatusReport => ({
  version: 1,
  binding: { namespace: ns, serviceAccount: "sa", identity: "id", identityResourceGroup: "rg" },
  cluster: { subscription: "s", resourceGroup: "rg", name: "c" },
  inSync: drift.length === 0,
  steps: [
    { name: "identity", title: "User-assigned managed identity", state: "in sync", drift: [] },
    { name: "serviceAccount", title: "Service account", state: drift.length ? "drift" : "in sync", drift },
  ],
});

describe("the rows of each document", () => {
  it("status: a step per row for one binding, a binding per row for many", () => {
    expect(statusRows(report("a", ["annotation missing"]))).toEqual([
      { Step: "User-assigned managed identity", State: "in sync", Drift: "" },
      { Step: "Service account", State: "drift", Drift: "annotation missing" },
    ]);
    expect(statusRows({ bindings: [report("a", []), report("b", ["x", "y"])] })).toEqual([
      { Binding: "a/sa", Identity: "id", State: "in sync", Drift: "" },
      { Binding: "b/sa", Identity: "id", State: "drift", Drift: "x; y" },
    ]);
  });
  it("delete: what went and what stays, per binding", () => {
    const d = {
      result: "planned",
      binding: { namespace: "a", serviceAccount: "sa" },
      deleted: ["credential c"],
      left: ["identity id (another credential uses it)"],
    };
    expect(deleteRows(d)).toEqual([
      { Binding: "a/sa", Action: "would delete", What: "credential c" },
      { Binding: "a/sa", Action: "left", What: "identity id (another credential uses it)" },
    ]);
  });
  it("a flat document: its scalars as one row, nested values and the version left out", () => {
    expect(scalarRow({ version: 1, result: "running", ports: { arm: 1 }, pid: 7 })).toEqual([{ Result: "running", Pid: 7 }]);
  });
});
