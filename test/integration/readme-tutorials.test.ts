// Acceptance: each row of the README's tutorial table, its aks-wi command as printed with the
// placeholders given the sandbox's names, sets up its workload on the sandbox and verify passes.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { runCli, tempDir, vaultId } from "../helpers/init-cli.harness.js";

/** The table's rows: tutorial number and the aks-wi command (the last cell's code span). */
function tutorialRows(): { tutorial: string; command: string }[] {
  const readme = readFileSync(join(process.cwd(), "README.md"), "utf8");
  const at = readme.indexOf("## The tutorials, as one command each\n");
  const section = readme.slice(at, readme.indexOf("\n## ", at + 10));
  return section
    .split("\n")
    .filter((l) => /^\| 00\d /.test(l))
    .map((l) => ({ tutorial: /^\| (00\d)/.exec(l)![1]!, command: /`(aks-wi init [^`]+)`[^|]*\|\s*$/.exec(l)![1]! }));
}

/** Shell words of a command with "double quoted" parts (the table uses no other quoting). */
const words = (cmd: string) => [...cmd.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);

let sb: TestSandbox;
beforeAll(async () => {
  sb = await startTestSandbox();
});
afterAll(async () => {
  await sb?.stop();
});

describe("README tutorial table", () => {
  const rows = tutorialRows();
  it("has the five tutorials in order", () => {
    expect(rows.map((r) => r.tutorial)).toEqual(["000", "001", "002", "003", "004"]);
  });

  for (const row of rows) {
    it(`tutorial ${row.tutorial}: init as printed (sandbox names), then verify exits 0`, async () => {
      const { subscriptionId: sub, resourceGroup: rg, clusterName: aks } = sb.info;
      const names: Record<string, string> = {
        RG: rg,
        myRG: rg,
        AKS: aks,
        myCluster: aks,
        SUB: sub,
        KEYVAULT_ID: vaultId(sb.dir),
        ID: `id-${row.tutorial}`,
        SA: `sa-${row.tutorial}`,
      };
      const args = words(row.command)
        .slice(1)
        .map((w) => w.replace(/\b(RG|myRG|AKS|myCluster|SUB|KEYVAULT_ID|ID|SA)\b/g, (m) => names[m]!));
      const cwd = tempDir(`aks-wi-tutorial-${row.tutorial}-`);
      // Rows 001 and 002 name the same service account: the later one re-binds it.
      const init = await runCli([...args, "--sandbox", "--sandbox-dir", sb.dir, "--yes", "--overwrite"], { cwd });
      expect(init.code, `${args.join(" ")}\n${init.stdout}\n${init.stderr}`).toBe(0);
      const verify = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir], { cwd });
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    }, 120_000);
  }
});
