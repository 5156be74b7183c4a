// README.md's table of init inputs is the INPUTS table of src/init/inputs.ts, row for row: the
// same inputs in the same order, each with the same flags and environment variables.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { INPUTS } from "../../../src/init/inputs.js";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** The rows of the markdown table whose header starts with `| input | flags |`. */
function readmeRows(): { input: string; flags: string[]; env: string[] }[] {
  const lines = README.split("\n");
  const start = lines.findIndex((l) => l.startsWith("| input | flags |"));
  expect(start, "README.md has a table of init inputs").toBeGreaterThan(-1);
  const rows: { input: string; flags: string[]; env: string[] }[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const [input, flags, env] = line
      .split("|")
      .slice(1)
      .map((c) => c.trim());
    rows.push({ input: input!, flags: flags!.match(/-{1,2}[a-z][a-z-]*/g) ?? [], env: env!.match(/AKS_WI_[A-Z_]+/g) ?? [] });
  }
  return rows;
}

describe("README's table of init inputs", () => {
  it("lists every input of INPUTS, in order, with its flags and variables", () => {
    const want = INPUTS.map((s) => ({
      input: s.label,
      flags: s.options.flatMap((o) => o.flags.match(/(?<![\w-])-{1,2}[a-z][a-z-]*/g) ?? []),
      env: [...s.env],
    }));
    expect(readmeRows()).toEqual(want);
  });
});
