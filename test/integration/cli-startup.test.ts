// `aks-wi --help` must stay lean: it may not load the Azure or Kubernetes SDKs. A module
// resolve hook records every bare specifier the process resolves while printing help.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const BIN = join(process.cwd(), "bin", "aks-wi");

function resolvedWhile(args: string[]): { status: number | null; stdout: string; specifiers: string[] } {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-startup-"));
  const log = join(dir, "resolved.txt");
  const hooks = join(dir, "hooks.mjs");
  writeFileSync(
    hooks,
    `import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  if (!specifier.startsWith(".") && !specifier.startsWith("node:") && !specifier.startsWith("file:")) appendFileSync(${JSON.stringify(log)}, specifier + "\\n");
  return next(specifier, context);
}\n`,
  );
  const register = join(dir, "register.mjs");
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const r = spawnSync(process.execPath, ["--import", pathToFileURL(register).href, BIN, ...args], { encoding: "utf8" });
  const specifiers = existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, stdout: r.stdout, specifiers };
}

describe("start-up", () => {
  it.each([["--help"], ["init", "--help"], ["verify", "--help"], ["sandbox", "start", "--help"]])("aks-wi %s loads no Azure or Kubernetes SDK", (...args) => {
    const r = resolvedWhile(args);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: aks-wi/);
    expect(r.specifiers).toContain("commander");
    expect(r.specifiers.filter((s) => /^@azure\/|^@kubernetes\/|^@inquirer\/|^jose$|^ws$/.test(s))).toEqual([]);
  });

  it("the hook does record bare imports when a command loads its modules", () => {
    const r = resolvedWhile(["sandbox", "status", "--dir", join(tmpdir(), "aks-wi-no-such-sandbox")]);
    expect(r.status).toBe(1);
    expect(r.specifiers).toContain("commander");
    const withInit = resolvedWhile(["init", "--sandbox", "--sandbox-dir", join(tmpdir(), "aks-wi-no-such-sandbox"), "--yes"]);
    expect(withInit.specifiers.some((s) => s.startsWith("@azure/") || s === "yaml" || s === "proper-lockfile" || s === "chalk")).toBe(true);
  });
});
