// The README's runnable examples: the `node bin/aks-wi` lines of the first sh block after a
// heading, and a runner that plays them verbatim in a scratch directory whose bin/ (and examples/)
// are the repo's, with the default sandbox directory under a temp XDG_STATE_HOME.
import { spawnSync } from "node:child_process";
import { readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { cleanEnv, tempDir } from "./init-cli.harness.js";

export function readmeCommands(heading: string): string[] {
  const readme = readFileSync(join(process.cwd(), "README.md"), "utf8");
  const at = readme.indexOf(`${heading}\n`);
  const block = at < 0 ? "" : (/```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? "");
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim()) // a trailing comment is the shell's, not an argument
    .filter((l) => l.startsWith("node bin/aks-wi "));
}

export interface LineResult {
  line: string;
  status: number | null;
  out: string;
}

/** Runs the lines in order until one fails; the sandbox is stopped whatever happens. Synchronous
 *  on purpose: the sandbox here is its own process, not one in this test's event loop. */
export function playReadme(lines: string[], prefix: string): LineResult[] {
  const cwd = tempDir(prefix);
  for (const d of ["bin", "examples"]) symlinkSync(join(process.cwd(), d), join(cwd, d));
  const env = cleanEnv({ XDG_STATE_HOME: join(cwd, "state") });
  const results: LineResult[] = [];
  try {
    for (const line of lines) {
      // The lines hold no quoting: split on spaces as the shell would.
      const [cmd, ...args] = line.split(/\s+/);
      const r = spawnSync(cmd === "node" ? process.execPath : cmd!, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
      results.push({ line, status: r.status, out: `${r.stdout}\n${r.stderr}` });
      if (r.status !== 0) break;
    }
  } finally {
    spawnSync(process.execPath, ["bin/aks-wi", "sandbox", "stop"], { cwd, env, encoding: "utf8", timeout: 30_000 });
  }
  return results;
}
