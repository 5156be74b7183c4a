// Shared bits of the demo and bench scripts: run the built CLI, find the sandbox's seeded scopes.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const cli = join(root, "bin", "aks-wi");

/** Runs `aks-wi ARGS`; inherits the terminal unless `quiet`. Returns { status, stdout, ms, rssMiB }
 *  (rssMiB: the CLI process's peak resident memory, when `rss` is asked for). */
export function aksWi(args, { quiet = false, env = {}, rss = false } = {}) {
  const probeDir = rss ? mkdtempSync(join(tmpdir(), "aks-wi-rss-")) : undefined;
  const probeFile = probeDir && join(probeDir, "rss");
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...(rss ? ["--require", join(root, "scripts", "rss-probe.cjs")] : []), cli, ...args], {
    cwd: root,
    env: { ...process.env, ...env, ...(probeFile ? { AKS_WI_BENCH_RSS_FILE: probeFile } : {}) },
    stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
  });
  const ms = performance.now() - t0;
  let rssMiB;
  if (probeDir) {
    try {
      rssMiB = Number(readFileSync(probeFile, "utf8")) / 1024;
    } catch {
      rssMiB = undefined;
    }
    rmSync(probeDir, { recursive: true, force: true });
  }
  return { status: r.status ?? 1, stdout: r.stdout ?? "", stderr: r.stderr ?? "", ms, rssMiB };
}

/** The seeded Key Vault's resource ID: the role scope the tutorials use. Read from the sandbox's
 *  own world file, which only the demo and bench (never product code) look at. */
export function sandboxVaultId(dir) {
  const world = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
  const vault = Object.values(world.resources).find((r) => r.type === "Microsoft.KeyVault/vaults");
  if (!vault) throw new Error(`no Key Vault in the sandbox at ${dir}`);
  return vault.id;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
