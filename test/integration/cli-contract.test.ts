// Acceptance of the CLI's contract, one row per command: its --help has Examples and the exit
// codes; `-o json` puts exactly one JSON document on stdout, on success and on failure; `--debug`
// shows the HTTP calls and never a token or the sandbox's client secret. Runs the BUILT CLI
// against a sandbox it starts itself with `aks-wi sandbox start`.
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { CLI, cleanEnv, runCli, tempDir, type CliResult } from "../helpers/init-cli.harness.js";

const EXIT_CODES = ["0", "1", "2", "3", "4", "5", "130"];
// A JWT: three base64url parts, the first a JSON header ("{" is "ey").
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/;

let cwd: string;
let sbDir: string;
let started: CliResult;
let secret: string;
let vault: string;
const state = () => join(cwd, ".aks-wi", "aks-sandbox", "state.json");
/** One binding of its own beside init's (same namespace), for apply and delete -f. */
const configFile = () => {
  const file = join(cwd, "aks-wi.yaml");
  writeFileSync(
    file,
    "apiVersion: aks-wi/v1\nkind: WorkloadIdentityConfig\ncluster: { resourceGroup: rg-sandbox, name: aks-sandbox }\nbindings:\n  - namespace: c\n    serviceAccount: c-file\n    identity: { name: id-c-file }\n",
  );
  return file;
};

const cli = (args: string[], env: Record<string, string> = {}, dir = cwd) => runCli(args, { cwd: dir, env });

/** stdout is one JSON document and nothing else: it parses whole, and holds one top-level value. */
function oneDocument(r: CliResult): Record<string, any> {
  expect(r.stdout.trim().startsWith("{"), `stdout is not one JSON document:\n${r.stdout}\n--- stderr:\n${r.stderr}`).toBe(true);
  return JSON.parse(r.stdout) as Record<string, any>;
}

function neverASecret(r: CliResult): void {
  const all = r.stdout + r.stderr;
  expect(all).not.toContain(secret);
  expect(all).not.toMatch(JWT);
}

beforeAll(async () => {
  cwd = tempDir("aks-wi-contract-");
  sbDir = join(cwd, "sb");
  started = await cli(["sandbox", "start", "--sandbox-dir", sbDir, "-o", "json"]);
  const info = JSON.parse(readFileSync(join(sbDir, "sandbox.json"), "utf8"));
  secret = info.clientSecret;
  vault = info.keyVaultId;
});
afterAll(async () => {
  await cli(["sandbox", "stop", "--sandbox-dir", sbDir]);
  rmSync(cwd, { recursive: true, force: true });
});

const initArgs = (role: string) => [
  "init",
  "--sandbox",
  "--sandbox-dir",
  sbDir,
  "--yes",
  "--identity",
  "id-c",
  "--namespace",
  "c",
  "--service-account",
  "c-sa",
  "--role",
  role,
  "--scope",
  vault,
];

interface Row {
  command: string;
  help: string[];
  /** Runs the command with -o json so that it succeeds (undefined: the command prints no data). */
  success?: () => Promise<CliResult>;
  /** What the success document says. */
  result?: unknown;
  /** Runs it with -o json so that it fails, and the exit code that failure has. */
  failure: () => Promise<CliResult>;
  failureCode: number;
  /** Runs it with --debug; `calls`: whether it makes HTTP calls that must show. */
  debug: () => Promise<CliResult>;
  calls: boolean;
}

// In order: init before verify (verify checks what init set up), stop last.
const ROWS: Row[] = [
  {
    command: "sandbox start",
    help: ["sandbox", "start", "--help"],
    success: async () => started,
    result: "started",
    failure: () => cli(["sandbox", "start", "--sandbox-dir", join(cwd, "other"), "--latency", "sluggish", "-o", "json"]),
    failureCode: 2,
    // Already running: the same sandbox, reported again.
    debug: () => cli(["sandbox", "start", "--sandbox-dir", sbDir, "--debug"]),
    calls: false,
  },
  {
    command: "init",
    help: ["init", "--help"],
    success: () => cli([...initArgs("Key Vault Secrets User"), "-o", "json"]),
    result: "done",
    // A bad name, refused before anything is read (a failure found later is in "as a whole").
    failure: () => cli([...initArgs("Key Vault Secrets User"), "--namespace", "Not-DNS", "-o", "json"]),
    failureCode: 2,
    debug: () => cli([...initArgs("Key Vault Secrets User"), "--debug"]),
    calls: true,
  },
  {
    command: "verify",
    help: ["verify", "--help"],
    success: () => cli(["verify", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "-o", "json"]),
    result: "pass",
    failure: () => cli(["verify", "--sandbox", "--sandbox-dir", sbDir, "--state", join(cwd, "no-such-state.json"), "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["verify", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "--debug"]),
    calls: true,
  },
  {
    command: "status",
    help: ["status", "--help"],
    success: () => cli(["status", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "-o", "json"]),
    failure: () => cli(["status", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "--namespace", "Not-DNS", "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["status", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "--debug"]),
    calls: true,
  },
  {
    command: "apply",
    help: ["apply", "--help"],
    success: () => cli(["apply", "--sandbox", "--sandbox-dir", sbDir, "-f", configFile(), "--yes", "-o", "json"]),
    result: "done",
    failure: () => cli(["apply", "--sandbox", "--sandbox-dir", sbDir, "-f", join(cwd, "no-such.yaml"), "--yes", "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["apply", "--sandbox", "--sandbox-dir", sbDir, "-f", configFile(), "--dry-run", "--debug"]),
    calls: true,
  },
  {
    command: "doctor",
    help: ["doctor", "--help"],
    success: () => cli(["doctor", "--sandbox", "--sandbox-dir", sbDir, "--namespace", "c", "-o", "json"]),
    failure: () => cli(["doctor", "--sandbox", "--sandbox-dir", sbDir, "--namespace", "Not-DNS", "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["doctor", "--sandbox", "--sandbox-dir", sbDir, "--namespace", "c", "--debug"]),
    calls: true,
  },
  {
    command: "delete",
    help: ["delete", "--help"],
    // the file's binding, which nothing after this row uses
    success: () => cli(["delete", "--sandbox", "--sandbox-dir", sbDir, "-f", configFile(), "--binding", "c/c-file", "--yes", "-o", "json"]),
    result: "done",
    failure: () => cli(["delete", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "--namespace", "Not-DNS", "--yes", "-o", "json"]),
    failureCode: 2,
    // a dry run of init's binding: planned, nothing changed
    debug: () => cli(["delete", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "--dry-run", "--debug"]),
    calls: true,
  },
  {
    command: "sandbox principal create",
    help: ["sandbox", "principal", "create", "--help"],
    // it prints the new principal's credentials, one JSON document, whatever -o says
    success: () => cli(["sandbox", "principal", "create", "contract-reader", "--sandbox-dir", sbDir, "--role", "Reader"]),
    failure: () => cli(["sandbox", "principal", "create", "Not_A_Name", "--sandbox-dir", sbDir, "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["sandbox", "principal", "create", "contract-debug", "--sandbox-dir", sbDir, "--role", "Reader", "--debug"]),
    calls: false,
  },
  {
    command: "sandbox status",
    help: ["sandbox", "status", "--help"],
    success: () => cli(["sandbox", "status", "--sandbox-dir", sbDir, "-o", "json"]),
    result: "running",
    failure: () => cli(["sandbox", "status", "--sandbox-dir", join(cwd, "none"), "-o", "json"]),
    failureCode: 1,
    debug: () => cli(["sandbox", "status", "--sandbox-dir", sbDir, "--debug"]),
    calls: false,
  },
  {
    command: "sandbox env",
    help: ["sandbox", "env", "--help"],
    success: () => cli(["sandbox", "env", "--sandbox-dir", sbDir, "-o", "json"]),
    failure: () => cli(["sandbox", "env", "--sandbox-dir", join(cwd, "none"), "-o", "json"]),
    failureCode: 1,
    debug: () => cli(["sandbox", "env", "--sandbox-dir", sbDir, "--debug"]),
    calls: false,
  },
  {
    command: "version",
    help: ["version", "--help"],
    success: () => cli(["version", "-o", "json"]),
    failure: () => cli(["version", "--verbose", "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["version", "--debug"]),
    calls: false,
  },
  {
    command: "completion",
    help: ["completion", "--help"],
    // It prints a shell script, not data; a failure with -o json is still one document.
    failure: () => cli(["completion", "tcsh", "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["completion", "bash", "--debug"]),
    calls: false,
  },
  {
    command: "sandbox stop",
    help: ["sandbox", "stop", "--help"],
    failure: () => cli(["sandbox", "stop", "--sandbox-dir", sbDir, "--force", "-o", "json"]),
    failureCode: 2,
    debug: () => cli(["sandbox", "stop", "--sandbox-dir", join(cwd, "none"), "--debug"]),
    calls: false,
    // Its success (which stops the sandbox) is the last test.
  },
];

describe.each(ROWS)("aks-wi $command", (row) => {
  it("--help has Examples and every exit code, on stdout with exit 0", async () => {
    const r = await cli(row.help);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\nExamples:\n {2}# .+\n {2}.*aks-wi /);
    const codes = r.stdout.slice(r.stdout.indexOf("Exit codes:"));
    expect(codes).not.toBe("");
    for (const c of EXIT_CODES) expect(codes).toMatch(new RegExp(`\\n {2}${c} +\\S`));
    expect(r.stdout).toContain("--debug");
    expect(r.stdout).toContain("--no-color");
  });

  // Only rows that print a document on success get this test (completion prints a script).
  if (row.success)
    it("-o json on success: one document on stdout, human lines only on stderr", async () => {
      const r = await row.success!();
      expect(r.code, r.stderr).toBe(0);
      const doc = oneDocument(r);
      if (row.result !== undefined) expect(doc).toMatchObject({ version: 1, result: row.result });
      expect(doc.error).toBeUndefined();
      neverASecret(r);
    });

  it("-o json on failure: one versioned error document on stdout, the exit code in it", async () => {
    const r = await row.failure();
    expect(r.code).toBe(row.failureCode);
    const doc = oneDocument(r);
    expect(doc.version).toBe(1);
    if (doc.result === "error") {
      expect(doc.error).toMatchObject({ code: expect.any(String), message: expect.any(String), exitCode: row.failureCode });
      // The human line is on stderr as well, for the log.
      expect(r.stderr).toContain(`error: ${doc.error.message.split("\n")[0]}`);
    } else {
      // sandbox status: "stopped" is its answer, with exit 1, not an error.
      expect(doc.result).toBe("stopped");
    }
  });

  it(`--debug ${row.calls ? "shows every HTTP call" : "is accepted"}, and never a token or secret`, async () => {
    const r = await row.debug();
    expect(r.code, r.stderr).toBe(0);
    const trace = r.stderr.split("\n").filter((l) => l.startsWith("debug: "));
    if (row.calls) {
      expect(trace.length).toBeGreaterThan(3);
      for (const l of trace) expect(l).toMatch(/^debug: (GET|POST|PUT|PATCH|DELETE|HEAD) https:\/\/\S+ → (\d{3}|[A-Z]+) \(\d+ ms\)( request-id \S+)?$/);
      // ARM, Entra ID's token endpoint and the cluster's API server all show.
      expect(trace.some((l) => l.includes("/subscriptions/") && /api-version=\d/.test(l) && / request-id \S+$/.test(l))).toBe(true);
      expect(trace.some((l) => l.includes("/oauth2/v2.0/token"))).toBe(true);
      expect(trace.some((l) => l.includes("/api/v1/namespaces/c/"))).toBe(true);
      // query values other than api-version are redacted
      for (const l of trace) for (const [, k, v] of l.matchAll(/[?&]([^=&\s]+)=([^&\s]*)/g)) if (k !== "api-version") expect(v).toBe("REDACTED");
    }
    neverASecret(r);
    // The trace is on stderr only: stdout stays the command's own output.
    expect(r.stdout).not.toMatch(/^debug: /m);
  });
});

describe("aks-wi as a whole", () => {
  it("bare aks-wi prints the help on stdout and exits 0", async () => {
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: aks-wi /);
    expect(r.stdout).toContain("Examples:");
    expect(r.stdout).toContain("Exit codes:");
    expect(r.stderr).toBe("");
  });

  it("version and --version name the package's version", async () => {
    const { version } = JSON.parse(readFileSync(join(CLI, "..", "..", "package.json"), "utf8"));
    expect((await cli(["--version"])).stdout).toBe(`${version}\n`);
    expect((await cli(["version"])).stdout).toMatch(new RegExp(`^aks-wi ${version.replace(/\./g, "\\.")} \\(node v\\d+`));
    expect(JSON.parse((await cli(["version", "-o", "json"])).stdout)).toMatchObject({ version: 1, result: { aksWi: version } });
  });

  it("bash: after sourcing the completion script, complete -p aks-wi works and completes commands, subcommands and choices", async () => {
    const file = join(cwd, "aks-wi.bash");
    writeFileSync(file, (await cli(["completion", "bash"])).stdout);
    const bash = (code: string) => execFileSync("bash", ["--norc", "-c", code], { cwd, encoding: "utf8", env: cleanEnv() });
    const complete = (words: string[]) =>
      bash(
        `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _aks_wi_complete; echo "\${COMPREPLY[*]}"`,
      ).trim();
    // as the help says to load it
    const p = bash(`source <(${process.execPath} ${CLI} completion bash); complete -p aks-wi`);
    expect(p.trim()).toBe("complete -o default -F _aks_wi_complete aks-wi");
    expect(complete(["aks-wi", "ve"]).split(" ").sort()).toEqual(["verify", "version"]);
    expect(complete(["aks-wi", "sandbox", "st"]).split(" ").sort()).toEqual(["start", "status", "stop"]);
    expect(complete(["aks-wi", "sandbox", "env", "-o", ""]).split(" ")).toEqual(["sh", "json", "yaml"]);
    expect(complete(["aks-wi", "--debug", "init", "--sandbox-d"])).toBe("--sandbox-dir");
    // the old spellings stay accepted but are not offered
    expect(complete(["aks-wi", "sandbox", "env", "--"])).not.toMatch(/--dir\b|--format/);
  });

  it("zsh and fish get a script too; an unknown shell is a usage error", async () => {
    expect((await cli(["completion", "zsh"])).stdout).toMatch(/^#compdef aks-wi\n/);
    expect((await cli(["completion", "fish"])).stdout).toContain("complete -c aks-wi -n '__fish_seen_subcommand_from sandbox' -a 'status'");
    const bad = await cli(["completion", "tcsh"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are bash, zsh, fish/);
  });

  it("init -o json, failing late (a role the plan cannot find): the error document still comes, with the run's exit code", async () => {
    const r = await cli([...initArgs("Key Vault Secret User"), "-o", "json"]);
    expect(r.code).not.toBe(0);
    const doc = oneDocument(r);
    expect(doc).toMatchObject({
      version: 1,
      result: "error",
      exitCode: r.code,
      error: { exitCode: r.code, message: expect.stringContaining("Key Vault Secret User") },
    });
    expect(doc.error.fix).toEqual(expect.any(String));
  });

  it("-o yaml is the json document as YAML, also on failure; -o table is aligned columns under a rule", async () => {
    const verifyArgs = ["verify", "--sandbox", "--sandbox-dir", sbDir, "--state", state()];
    const [json, yaml, table] = await Promise.all(["json", "yaml", "table"].map((o) => cli([...verifyArgs, "-o", o])));
    for (const r of [json, yaml, table]) expect(r.code, r.stderr).toBe(0);
    // Two runs: their timings and the tokens' times (iat, exp, uti) differ, the rest must not.
    const { durationMs: _a, claims: _c, ...fromJson } = JSON.parse(json.stdout);
    const { durationMs: _b, claims: _d, ...fromYaml } = parseYaml(yaml.stdout);
    expect(fromYaml).toEqual(fromJson);
    // A header, a rule of dashes under each column, then one row per check in the json's order.
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^Check +Status +Detail$/);
    expect(lines[1]).toMatch(/^-+ +-+ +-+$/);
    expect(lines.slice(2).map((l) => l.split(/ {2,}/)[0])).toEqual(fromJson.checks.map((c: { title: string }) => c.title));
    for (const l of lines.slice(2)) expect(l).toMatch(/ {2}PASS {2}/);
    neverASecret(table);

    const failed = await cli([...initArgs("Key Vault Secrets User"), "--namespace", "Not-DNS", "-o", "yaml"]);
    expect(failed.code).toBe(2);
    expect(parseYaml(failed.stdout)).toMatchObject({ version: 1, result: "error", exitCode: 2, error: { code: "usage" } });
    // table, like az's, has no error document: the line on stderr is the whole answer
    const failedTable = await cli([...initArgs("Key Vault Secrets User"), "--namespace", "Not-DNS", "-o", "table"]);
    expect([failedTable.code, failedTable.stdout]).toEqual([2, ""]);
    expect(failedTable.stderr).toMatch(/^error: [^]*--namespace "Not-DNS"/);
  });

  it("status, init's re-run and sandbox status print tables too", async () => {
    const status = await cli(["status", "--sandbox", "--sandbox-dir", sbDir, "--state", state(), "-o", "table"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout.split("\n")[0]).toMatch(/^Step +State +Drift$/);
    expect(status.stdout.match(/ in sync/g)?.length).toBeGreaterThanOrEqual(7);
    const rerun = await cli([...initArgs("Key Vault Secrets User"), "-o", "table"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout.split("\n")[0]).toMatch(/^Step +Result +Summary$/);
    expect(rerun.stdout).toMatch(/no change/);
    const sb = await cli(["sandbox", "status", "--sandbox-dir", sbDir, "-o", "table"]);
    expect(sb.stdout).toMatch(/^Result +State +Dir .*\n-+ +-+ +-+.*\nrunning +running +/);
    expect(sb.stdout).not.toContain(secret);
  });

  it("verify takes the workload from the AKS_WI_* variables init reads", async () => {
    // Another directory: no state file to fall back on.
    const r = await cli(
      ["verify", "--sandbox", "--sandbox-dir", sbDir, "-o", "json"],
      { AKS_WI_NAMESPACE: "c", AKS_WI_SERVICE_ACCOUNT: "c-sa", AKS_WI_IDENTITY: "id-c" },
      tempDir("aks-wi-contract-env-"),
    );
    const doc = oneDocument(r);
    expect(doc.target).toMatchObject({ namespace: "c", serviceAccount: "c-sa" });
    expect(doc.checks.find((c: { name: string }) => c.name === "identity").status).toBe("PASS");
  });

  it("the old spellings --dir and --format still work, hidden from --help", async () => {
    const env = await cli(["sandbox", "env", "--dir", sbDir, "--format", "json"]);
    expect(env.code).toBe(0);
    expect(JSON.parse(env.stdout).AKS_WI_SANDBOX_DIR).toBe(sbDir);
    const help = (await cli(["sandbox", "env", "--help"])).stdout;
    expect(help).not.toMatch(/--dir\b|--format/);
  });

  it("--no-color and NO_COLOR: no escape codes even on a terminal", () => {
    const onTty = (cmd: string, env: Record<string, string> = {}) =>
      execFileSync("script", ["-qec", cmd, "/dev/null"], {
        cwd,
        encoding: "utf8",
        env: cleanEnv({ TERM: "xterm-256color", ...env, NO_COLOR: env.NO_COLOR ?? "" }),
      });
    const verify = `${process.execPath} ${CLI} verify --sandbox --sandbox-dir ${sbDir} --state ${state()}`;
    expect(onTty(verify)).toMatch(/\x1b\[\d+m/);
    expect(onTty(`${verify} --no-color`)).not.toMatch(/\x1b\[/);
    expect(onTty(verify, { NO_COLOR: "1" })).not.toMatch(/\x1b\[/);
  });

  it("sandbox stop -o json: one document, last (it stops the sandbox the rows used)", async () => {
    const r = await cli(["sandbox", "stop", "--sandbox-dir", sbDir, "-o", "json"]);
    expect(r.code).toBe(0);
    expect(oneDocument(r)).toMatchObject({ version: 1, result: "stopped", dir: sbDir });
  });
});
