// The line between the product (src/) and the sandbox (sandbox/): the sandbox imports nothing of
// the product (tsc refuses it too, the projects being separate), and the product reaches the
// sandbox only through its public face, lazily, so that no product path loads the emulator unless
// it runs one. Type-only imports are erased at build time and so are always fine.
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../../..");
const PUBLIC_FACE = ["sandbox/index.ts", "sandbox/daemon.ts", "sandbox/info.ts", "sandbox/specs.ts"];

interface Import {
  file: string;
  target: string;
  kind: "static" | "type" | "dynamic";
}

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Relative imports of a file, resolved to repository paths (".js" → ".ts"). */
function importsOf(file: string): Import[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const out: Import[] = [];
  const add = (spec: string, kind: Import["kind"]) => {
    if (!spec.startsWith(".")) return;
    out.push({ file, target: relative(ROOT, resolve(ROOT, dirname(file), spec)).replace(/\.js$/, ".ts"), kind });
  };
  for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?(?:[^"';]*?\s+from\s+)?["']([^"']+)["']/gm)) add(m[3], m[2] ? "type" : "static");
  for (const m of text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) add(m[1], "dynamic");
  return out;
}

describe("the sandbox project boundary", () => {
  it("the sandbox imports nothing from src/", () => {
    const intoSrc = tsFiles("sandbox")
      .flatMap(importsOf)
      .filter((i) => i.target.startsWith("src/"));
    expect(intoSrc).toEqual([]);
  });

  it("src/ imports only the sandbox's public face, and only lazily or by type", () => {
    const intoSandbox = tsFiles("src")
      .flatMap(importsOf)
      .filter((i) => i.target.startsWith("sandbox/"));
    expect(intoSandbox.length).toBeGreaterThan(0); // the scan does see them
    expect(intoSandbox.filter((i) => !PUBLIC_FACE.includes(i.target))).toEqual([]);
    expect(intoSandbox.filter((i) => i.kind === "static")).toEqual([]);
  });

  it("the scan recognises each kind of import", () => {
    expect(importsOf("src/cli/commands/sandbox.ts").map((i) => i.kind)).toEqual(expect.arrayContaining(["static", "type", "dynamic"]));
  });
});
