// `npm run bench`: median wall times of
//   - `aks-wi --help` against `node -e 0` (start-up cost: --help must not load the SDKs),
//   - a full `init` on a fresh sandbox (instant latency),
//   - the no-change re-run of the same init,
//   - `aks-wi verify` of that setup (all seven checks, exec and token exchange included),
//   - `aks-wi sandbox start` on a fresh directory (CA and keys made) and on a restart;
// and the peak resident memory of the CLI process for --help, init and verify;
// the requests each run sends, per service, read off the sandbox's request log (DIR/requests.jsonl);
// and, on the realistic profile at factor 0.1 (Azure's timings and round trips, scaled), the wall
// time of a fresh init next to its critical path measured in the same run: the CLI's start-up
// (`--help`), plus the cluster update as the sandbox timed it, plus the test pod's start.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { aksWi, median, sandboxVaultId } from "./lib.mjs";

/** Requests in DIR/requests.jsonl from line `from` on, per service; ARM without the cluster
 *  update's operation polls and final GET (the long-running-operation protocol). */
function requestsSince(dir, from) {
  let lines = [];
  try {
    lines = readFileSync(join(dir, "requests.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l));
  } catch {
    return { count: 0, by: {} };
  }
  const mine = lines.slice(from);
  const by = {};
  let afterPut = false;
  for (const e of mine) {
    const cluster = /\/managedClusters\/[^/?]+(\?|$)/i.test(e.path);
    if (e.service === "arm" && e.method === "PUT" && cluster) afterPut = true;
    const poll = e.service === "arm" && e.method === "GET" && (/\/operations\//i.test(e.path) || (afterPut && cluster));
    const key = poll ? "arm-lro" : e.service;
    by[key] = (by[key] ?? 0) + 1;
  }
  return { count: lines.length, by };
}
const logLength = (dir) => requestsSince(dir, 0).count;
const fmtRequests = (by) => ["arm", "arm-lro", "login", "kube", "oidc"].map((k) => `${k} ${by[k] ?? 0}`).join(", ");

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

const requests = {};
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
    const args = [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb,
      "--yes",
      "--identity",
      "id-bench",
      "--namespace",
      "bench",
      "--service-account",
      "bench-sa",
      "--role",
      "Key Vault Secrets User",
      "--scope",
      sandboxVaultId(sb),
      "--state",
      join(dir, "state.json"),
    ];
    let mark = logLength(sb);
    const a = aksWi(args, { quiet: true, rss: true });
    if (a.status !== 0) throw new Error(`init failed: ${a.stderr}`);
    fresh.push(a.ms);
    rss.init.push(a.rssMiB);
    requests.fresh = requestsSince(sb, mark).by;
    mark = logLength(sb);
    const b = aksWi(args, { quiet: true });
    if (b.status !== 0) throw new Error(`re-run failed: ${b.stderr}`);
    rerun.push(b.ms);
    requests.rerun = requestsSince(sb, mark).by;
    mark = logLength(sb);
    const v = aksWi(["verify", "--sandbox", "--sandbox-dir", sb, "--state", join(dir, "state.json")], { quiet: true, rss: true });
    if (v.status !== 0) throw new Error(`verify failed (exit ${v.status}): ${v.stdout}${v.stderr}`);
    verify.push(v.ms);
    rss.verify.push(v.rssMiB);
    requests.verify = requestsSince(sb, mark).by;
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
console.log("requests per run, per service (instant profile; arm-lro: the cluster update's operation polls)");
for (const [name, by] of Object.entries(requests)) console.log(`  ${`init ${name}`.replace("init verify", "verify").padEnd(34)} ${fmtRequests(by)}`);
console.log("peak resident memory of the CLI process (median)");
for (const [name, xs] of Object.entries(rss)) {
  const ok = xs.filter((x) => typeof x === "number");
  console.log(`  aks-wi ${name.padEnd(27)} ${ok.length ? `${median(ok).toFixed(0)} MiB`.padStart(9) : "      n/a"}   (n=${ok.length})`);
}

// The realistic profile at factor 0.1 (BENCH_REALISTIC_FACTOR): every request costs a scaled round trip, the cluster update
// and the pod start take their scaled Azure times. One run (it takes about 30 s).
const FACTOR = process.env.BENCH_REALISTIC_FACTOR ?? "0.1";
if (process.env.BENCH_REALISTIC !== "0") {
  const dir = mkdtempSync(join(tmpdir(), "aks-wi-bench-real-"));
  const sb = join(dir, "sandbox");
  try {
    const s = aksWi(["sandbox", "start", "--dir", sb, "--latency", `realistic:${FACTOR}`], { quiet: true });
    if (s.status !== 0) throw new Error(`sandbox start failed: ${s.stderr}`);
    const args = [
      "init",
      "--sandbox",
      "--sandbox-dir",
      sb,
      "--yes",
      "--identity",
      "id-real",
      "--namespace",
      "real",
      "--service-account",
      "real-sa",
      "--role",
      "Key Vault Secrets User",
      "--scope",
      sandboxVaultId(sb),
      "--state",
      join(dir, "state.json"),
    ];
    let mark = logLength(sb);
    const a = aksWi(args, { quiet: true });
    if (a.status !== 0) throw new Error(`realistic init failed: ${a.stderr}`);
    const initReq = requestsSince(sb, mark).by;
    mark = logLength(sb);
    const v = aksWi(["verify", "--sandbox", "--sandbox-dir", sb, "--state", join(dir, "state.json")], { quiet: true });
    if (v.status !== 0) throw new Error(`realistic verify failed (exit ${v.status}): ${v.stdout}${v.stderr}`);
    const verifyReq = requestsSince(sb, mark).by;
    // The cluster update as the sandbox timed it: its operation's startTime to endTime.
    const world = JSON.parse(readFileSync(join(sb, "state.json"), "utf8"));
    const ops = Object.values(world.clusters).flatMap((c) => Object.values(c.operations ?? {}));
    const clusterMs = Math.max(...ops.map((o) => Date.parse(o.endTime) - Date.parse(o.startTime)));
    const info = JSON.parse(readFileSync(join(sb, "sandbox.json"), "utf8"));
    const { parseLatency } = await import("../dist/sandbox/specs.js");
    const podMs = parseLatency(info.latency).podStartMs;
    const critical = help + clusterMs + podMs;
    console.log(`realistic profile, factor ${FACTOR} (one run)`);
    console.log(`  aks-wi init (fresh, one role)      ${fmt(a.ms).padStart(9)}   requests: ${fmtRequests(initReq)}`);
    console.log(`  aks-wi verify (healthy setup)      ${fmt(v.ms).padStart(9)}   requests: ${fmtRequests(verifyReq)}`);
    console.log(
      `  critical path of that init         ${fmt(critical).padStart(9)}   (--help ${fmt(help)} + cluster update ${fmt(clusterMs)} + pod start ${fmt(podMs)})`,
    );
    console.log(`  init / critical path               ${(a.ms / critical).toFixed(3).padStart(9)}×`);
  } finally {
    aksWi(["sandbox", "stop", "--dir", sb], { quiet: true });
    rmSync(dir, { recursive: true, force: true });
  }
}
