// `npm run bench`: median wall times of
//   - `aks-wi --help` against `node -e 0` (start-up cost: --help must not load the SDKs),
//   - a full `init` on a fresh sandbox (instant latency),
//   - the no-change re-run of the same init,
//   - `aks-wi verify` of that setup (all seven checks, exec and token exchange included),
//   - `aks-wi sandbox start` on a fresh directory (CA and keys made) and on a restart;
// and the peak resident memory of the CLI process for --help, init and verify.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { aksWi, median, sandboxVaultId } from "./lib.mjs";

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const INIT_RUNS = Number(process.env.BENCH_INIT_RUNS ?? 3);
const fmt = (ms) => `${ms.toFixed(0)} ms`;

function timeNode(args) {
  const t0 = performance.now();
  spawnSync(process.execPath, args, { stdio: "ignore" });
  return performance.now() - t0;
}

const nodeBaseline = median(Array.from({ length: RUNS }, () => timeNode(["-e", "0"])));
const helpRuns = Array.from({ length: RUNS }, () => aksWi(["--help"], { quiet: true, rss: true }));
const help = median(helpRuns.map((r) => r.ms));
const rss = { help: helpRuns.map((r) => r.rssMiB), init: [], verify: [] };
const verify = [];

const fresh = [];
const rerun = [];
const sbFresh = [];
const sbRestart = [];
for (let i = 0; i < INIT_RUNS; i++) {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-bench-"));
  const sb = join(dir, "sandbox");
  try {
    const s = aksWi(["sandbox", "start", "--dir", sb, "--latency", "instant"], { quiet: true });
    if (s.status !== 0) throw new Error(`sandbox start failed: ${s.stderr}`);
    sbFresh.push(s.ms);
    aksWi(["sandbox", "stop", "--dir", sb], { quiet: true });
    const r = aksWi(["sandbox", "start", "--dir", sb, "--latency", "instant"], { quiet: true });
    if (r.status !== 0) throw new Error(`sandbox restart failed: ${r.stderr}`);
    sbRestart.push(r.ms);
    const args = ["init", "--sandbox", "--sandbox-dir", sb, "--yes", "--identity", "id-bench",
      "--namespace", "bench", "--service-account", "bench-sa",
      "--role", "Key Vault Secrets User", "--scope", sandboxVaultId(sb), "--state", join(dir, "state.json")];
    const a = aksWi(args, { quiet: true, rss: true });
    if (a.status !== 0) throw new Error(`init failed: ${a.stderr}`);
    fresh.push(a.ms);
    rss.init.push(a.rssMiB);
    const b = aksWi(args, { quiet: true });
    if (b.status !== 0) throw new Error(`re-run failed: ${b.stderr}`);
    rerun.push(b.ms);
    const v = aksWi(["verify", "--sandbox", "--sandbox-dir", sb, "--state", join(dir, "state.json")], { quiet: true, rss: true });
    if (v.status !== 0) throw new Error(`verify failed (exit ${v.status}): ${v.stdout}${v.stderr}`);
    verify.push(v.ms);
    rss.verify.push(v.rssMiB);
  } finally {
    aksWi(["sandbox", "stop", "--dir", sb], { quiet: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = [
  ["node -e 0", nodeBaseline, RUNS],
  ["aks-wi --help", help, RUNS],
  ["aks-wi sandbox start (fresh dir)", median(sbFresh), INIT_RUNS],
  ["aks-wi sandbox start (restart)", median(sbRestart), INIT_RUNS],
  ["aks-wi init (fresh sandbox)", median(fresh), INIT_RUNS],
  ["aks-wi init (no-change re-run)", median(rerun), INIT_RUNS],
  ["aks-wi verify (healthy setup)", median(verify), INIT_RUNS],
];
console.log("benchmark (median wall time)");
for (const [name, ms, n] of rows) console.log(`  ${name.padEnd(34)} ${fmt(ms).padStart(9)}   (n=${n})`);
console.log(`  --help overhead over node: ${fmt(help - nodeBaseline)}`);
console.log("peak resident memory of the CLI process (median)");
for (const [name, xs] of Object.entries(rss)) {
  const ok = xs.filter((x) => typeof x === "number");
  console.log(`  aks-wi ${name.padEnd(27)} ${ok.length ? `${median(ok).toFixed(0)} MiB`.padStart(9) : "      n/a"}   (n=${ok.length})`);
}
