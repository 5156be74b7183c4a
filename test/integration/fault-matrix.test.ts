// Acceptance (issue 10): transient faults never stop a first run. Every fault kind the sandbox
// injects (429 with Retry-After, 503, 500, a dropped connection) on every service (ARM, Entra,
// Kubernetes, the OIDC issuer) is recovered: the built CLI's `aks-wi init --yes` converges on the
// first run and `aks-wi verify` of the result passes. The 16 service × kind pairs run as a Latin
// square: four rounds in which each service gets another kind at once, so each pair is shown
// recovered (among other faults) in a quarter of the CPU; the Kubernetes kind also lands on the
// first exec WebSocket upgrade. Then seeded runs with a 10% mix on every
// service. Each run has its own sandbox dir: init under one fault plan, then the sandbox restarts
// over the same dir with a fresh plan (new seed) for verify, so both see faults. All runs start
// together (a few at a time) and each test awaits its own; instant latency, Retry-After 0.1 s.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { readInitState, runCli, tempDir, vaultId, type CliResult } from "../helpers/init-cli.harness.js";

const SERVICES = ["arm", "login", "kube", "oidc"] as const;
const KINDS = ["429", "503", "500", "drop"] as const;
type Service = (typeof SERVICES)[number];
/** Rules per service and kind: faults in every phase, spread over the run. ARM and Kubernetes
 *  fail their first answer (so each phase surely meets the fault, whatever the seed), then 20% of
 *  the rest, four in all; Entra (a token or two per run) and the issuer (fetched only by Entra
 *  during verify's exchange) fail their first answer. */
const RULES: Record<Service, (kind: string) => string> = {
  arm: (k) => `arm.${k}=1x1,arm.${k}=0.2x3`,
  kube: (k) => `kube.${k}=1x1,kube.${k}=0.2x3`,
  login: (k) => `login.${k}=1x1`,
  oidc: (k) => `oidc.${k}=1x1`,
};
const MIX = "*.429=0.1,*.503=0.05,*.500=0.03,*.drop=0.03";
const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
/** Runs at once: most of a run's time is spent waiting out retries, so this many keep 2 cores busy. */
const PARALLEL = 8;
const TIMEOUT_MS = 240_000;
/** One line per retry of aks-wi's own calls (src/core/retry.ts). */
const RETRY_LINE =
  /^\s*(?:↻ )?(Kubernetes API|Entra token endpoint|ARM permissions API|OIDC issuer) (\d{3}|E[A-Z_]+|AADSTS\d+), retry \d+\/\d+ in \d+\.\d s( \(.+\))?$/;
/** One line per retry the Azure SDK's own policy makes (src/azure/retry-notice.ts), or per replication wait. */
const SDK_RETRY_LINE =
  /^\s*(?:↻ )?ARM (\d{3}|E[A-Z_]+), retry \d\/6( in [\d.]+ s \(Retry-After\))? \((GET|PUT|PATCH|POST|DELETE) \/\S+; the Azure SDK's retry policy\)$|^\s*(?:↻ )?ARM [A-Za-z]+, waiting [\d.]+ s \(.+\)$/;

/** Round r gives service i the kind (i + r) mod 4: over four rounds each service meets each kind. */
const ROUNDS = KINDS.map((_, r) => SERVICES.map((service, i) => ({ service, kind: KINDS[(i + r) % KINDS.length]! })));
/** The Kubernetes kind also refuses the first exec WebSocket upgrade (verify's reads in the pod),
 *  which the plain `kube.` rule reaches only by chance. */
const roundSpec = (r: number) => (seed: number) =>
  `${ROUNDS[r]!.map((p) => `${RULES[p.service](p.kind)}${p.service === "kube" ? `,kube.exec.${p.kind}=1x1` : ""}`).join(",")},retry-after=0.1,seed=${seed}`;
const mixSpec = (seed: number) => `${MIX},retry-after=0.1,seed=${seed}`;

interface Run {
  init: CliResult;
  verify: CliResult;
  state: ReturnType<typeof readInitState>;
  injected: { init: Record<string, number>; verify: Record<string, number> };
}

/** A fresh sandbox: init under `spec(seed)`, restart, verify under `spec(seed + 1000)`. */
async function converge(spec: (seed: number) => string, seed: number): Promise<Run> {
  const dir = tempDir("aks-wi-fault-matrix-");
  const cwd = tempDir("aks-wi-fault-matrix-cwd-");
  let sb: TestSandbox | undefined;
  try {
    sb = await startTestSandbox({ dir, faults: spec(seed) });
    const cluster = sb.info.clusterName;
    const init = await runCli(
      [
        "init",
        "--sandbox",
        "--sandbox-dir",
        dir,
        "--yes",
        "--identity",
        "id-app",
        "--namespace",
        "app",
        "--service-account",
        "sa-app",
        "--role",
        "Key Vault Secrets User",
        "--scope",
        vaultId(dir),
      ],
      { cwd },
    );
    const initInjected = sb.sandbox.faults.injected();
    await sb.stop();
    sb = await startTestSandbox({ dir, faults: spec(seed + 1000) });
    const verify = await runCli(["verify", "--sandbox", "--sandbox-dir", dir, "--cluster", cluster], { cwd });
    return {
      init,
      verify,
      state: readInitState(join(cwd, ".aks-wi", cluster, "state.json")),
      injected: { init: initInjected, verify: sb.sandbox.faults.injected() },
    };
  } finally {
    await sb?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  }
}

/** Every run of the file, started in beforeAll, PARALLEL at a time. */
const runs = new Map<string, Promise<Run>>();
beforeAll(() => {
  const jobs: [string, () => Promise<Run>][] = [
    ...ROUNDS.map((_, r): [string, () => Promise<Run>] => [`round ${r + 1}`, () => converge(roundSpec(r), 7 + r)]),
    ...SEEDS.map((seed): [string, () => Promise<Run>] => [`seed ${seed}`, () => converge(mixSpec, seed)]),
  ];
  const waiting: (() => void)[] = [];
  let active = 0;
  const slot = () => (active < PARALLEL ? (active++, Promise.resolve()) : new Promise<void>((r) => waiting.push(() => (active++, r()))));
  const done = () => {
    active--;
    waiting.shift()?.();
  };
  for (const [name, job] of jobs) {
    const p = slot().then(job).finally(done);
    p.catch(() => {}); // reported by the test that awaits it
    runs.set(name, p);
  }
});

const lines = (text: string) => text.split("\n").filter(Boolean);

/** Init converged on its first run, verify passed every check, and nothing said "error". */
function expectConverged(r: Run) {
  const initOut = `${r.init.stdout}${r.init.stderr}`;
  expect(r.init.code, initOut).toBe(0);
  expect(r.init.stdout).toContain("Workload identity is set up.");
  expect(Object.values(r.state?.steps ?? {}).map((s) => s!.status)).toEqual(Array(8).fill("done"));
  expect(initOut).not.toMatch(/error/i);
  expect(r.verify.code, `${r.verify.stdout}${r.verify.stderr}`).toBe(0);
  for (const check of ["cluster", "service account", "identity and federated credential", "pod", "token", "exchange", "access"]) {
    expect(r.verify.stdout).toMatch(new RegExp(`^PASS\\s+${check}\\s`, "m"));
  }
  expect(r.verify.stdout).not.toMatch(/^(FAIL|UNKNOWN|WARN)/m);
  // verify's stderr holds only retry lines, one per retry.
  for (const l of lines(r.verify.stderr)) expect(RETRY_LINE.test(l) || SDK_RETRY_LINE.test(l), l).toBe(true);
}

describe("fault matrix: each fault kind on each service", () => {
  for (const [r, pairs] of ROUNDS.entries()) {
    it(
      `round ${r + 1} (${pairs.map((p) => `${p.service} ${p.kind}`).join(", ")}): init converges on the first run, verify passes`,
      async () => {
        const run = await runs.get(`round ${r + 1}`)!;
        expectConverged(run);
        const seen = JSON.stringify(run.injected);
        for (const { service, kind } of pairs) {
          // The fault was really there, in both phases (the issuer only serves verify's exchange).
          if (service !== "oidc") expect(run.injected.init[`${service}.${kind}`] ?? 0, `${service}.${kind} in init: ${seen}`).toBeGreaterThan(0);
          expect(run.injected.verify[`${service}.${kind}`] ?? 0, `${service}.${kind} in verify: ${seen}`).toBeGreaterThan(0);
          if (service === "kube") expect(run.injected.verify[`kube.exec.${kind}`], `kube.exec.${kind} in verify: ${seen}`).toBe(1);
          if (service === "kube") {
            // aks-wi's own retries are shown, with the Retry-After the API server sent.
            const reason = kind === "drop" ? "ECONNRESET" : kind;
            const retries = lines(run.init.stdout).filter((l) => RETRY_LINE.test(l));
            expect(retries.length, run.init.stdout).toBeGreaterThan(0);
            expect(retries[0]).toMatch(new RegExp(`Kubernetes API ${reason}, retry 1/6 in ${kind === "429" || kind === "503" ? "0\\.1" : "\\d+\\.\\d"} s`));
          }
          if (service === "oidc") {
            // Entra could not fetch the issuer (AADSTS90061): the exchange is retried, and says so.
            expect(run.verify.stderr).toMatch(/^Entra token endpoint AADSTS90061, retry \d+\/10 in /m);
          }
        }
      },
      TIMEOUT_MS,
    );
  }
});

describe(`fault matrix: ${MIX} on every service at once`, () => {
  for (const seed of SEEDS) {
    it(
      `seed ${seed}: init converges on the first run, verify passes`,
      async () => {
        const run = await runs.get(`seed ${seed}`)!;
        expectConverged(run);
        expect(Object.keys(run.injected.init).length, JSON.stringify(run.injected)).toBeGreaterThan(0);
      },
      TIMEOUT_MS,
    );
  }
});
