// `npm run bench` (acceptance of init): it prints the median wall time of `aks-wi --help` against
// `node -e 0`, of a full init on the sandbox and of the no-change re-run (plus verify, sandbox
// start and peak memory). One run per row here: this proves the benchmark works end to end, the
// figures themselves are read from a real `npm run bench`, never asserted as timings.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

describe("npm run bench", () => {
  it("prints a median for every row, from real runs", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["scripts/bench.mjs"], {
      // The realistic run at a small factor: its rows are checked, its figures are not.
      env: { ...process.env, BENCH_RUNS: "1", BENCH_INIT_RUNS: "1", BENCH_REALISTIC_FACTOR: "0.02" },
      encoding: "utf8",
      timeout: 180_000,
    });
    const row = (label: string, unit: "ms" | "MiB") => {
      const m = new RegExp(`^\\s+${label.replace(/[()]/g, "\\$&")}\\s+(\\d+) ${unit}\\s+\\(n=1\\)$`, "m").exec(stdout);
      expect(m, `row "${label}" in:\n${stdout}`).not.toBeNull();
      return Number(m![1]);
    };
    const node = row("node -e 0", "ms");
    const help = row("aks-wi --help", "ms");
    for (const r of [
      "aks-wi sandbox start (fresh dir)",
      "aks-wi sandbox start (restart)",
      "aks-wi init (fresh sandbox)",
      "aks-wi init (no-change re-run)",
      "aks-wi verify (healthy setup)",
    ]) {
      expect(row(r, "ms")).toBeGreaterThan(0);
    }
    // The overhead line is the difference of the two measured medians (each rounded), not a constant.
    const overhead = Number(/--help overhead over node: (-?\d+) ms/.exec(stdout)?.[1]);
    expect(Math.abs(overhead - (help - node))).toBeLessThanOrEqual(1);
    for (const r of ["aks-wi help", "aks-wi init", "aks-wi verify"]) expect(row(r, "MiB")).toBeGreaterThan(10);
    // Request counts per service, read off the sandbox's request log.
    for (const r of ["init fresh", "init rerun", "verify"]) {
      const m = new RegExp(`^\\s+${r}\\s+arm (\\d+), arm-lro (\\d+), login (\\d+), kube (\\d+), oidc (\\d+)$`, "m").exec(stdout);
      expect(m, `requests of ${r} in:\n${stdout}`).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0);
    }
    // The realistic run: wall time, critical path and their ratio.
    expect(stdout).toMatch(/^realistic profile, factor 0\.02 \(one run\)$/m);
    const init = Number(/^\s+aks-wi init \(fresh, one role\)\s+(\d+) ms/m.exec(stdout)?.[1]);
    const critical = /^\s+critical path of that init\s+(\d+) ms\s+\(--help (\d+) ms \+ cluster update (\d+) ms \+ pod start (\d+) ms\)$/m.exec(stdout);
    expect(critical, stdout).not.toBeNull();
    const [, total, h, cluster, pod] = critical!.map(Number);
    expect(Math.abs(total! - (h! + cluster! + pod!))).toBeLessThanOrEqual(2);
    expect(cluster).toBeGreaterThan(0);
    expect(Number(/^\s+init \/ critical path\s+([\d.]+)×$/m.exec(stdout)?.[1])).toBeCloseTo(init / total!, 2);
  }, 200_000);
});
