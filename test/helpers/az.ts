// An Azure CLI of a test's own, pointed at a sandbox as README's "Follow the tutorials by hand"
// sets it up: HOME and AZURE_CONFIG_DIR in a temp dir, the sandbox's CA appended to the system
// bundle (az trusts one CA file), nothing sent off the machine (no telemetry, no survey), and
// the sandbox's endpoints and operator in variables the command lines use ($ARM, $LOGIN, $SP_ID,
// $SP_SECRET, $TENANT, $RG). Commands run through bash, as a user types them.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { SandboxInfo } from "../../sandbox/info.js";

const SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

export interface ShellRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface AzShell {
  /** The temp HOME (also the commands' working directory). */
  home: string;
  /** The commands' environment; tests add their own variables to it. */
  env: NodeJS.ProcessEnv;
  /** One command line, its exit code and output. */
  sh(line: string, input?: string): Promise<ShellRun>;
  /** A command line that must succeed: its stdout. */
  ok(line: string, input?: string): Promise<string>;
  /** Removes the temp HOME. */
  remove(): void;
}

export function azShell(info: SandboxInfo, prefix: string): AzShell {
  const home = mkdtempSync(join(tmpdir(), prefix));
  const bundle = join(home, "ca-bundle.pem");
  writeFileSync(bundle, (existsSync(SYSTEM_BUNDLE) ? readFileSync(SYSTEM_BUNDLE, "utf8") : "") + readFileSync(info.caFile, "utf8"));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AZURE_CONFIG_DIR: join(home, ".azure"),
    REQUESTS_CA_BUNDLE: bundle,
    AZURE_CORE_COLLECT_TELEMETRY: "false",
    AZURE_CORE_SURVEY_MESSAGE: "false",
    AZURE_CORE_ONLY_SHOW_ERRORS: "false",
    ARM: info.armEndpoint,
    LOGIN: info.authorityHost,
    SP_ID: info.clientId,
    SP_SECRET: info.clientSecret,
    TENANT: info.tenantId,
    RG: info.resourceGroup,
  };
  const sh = (line: string, input?: string): Promise<ShellRun> =>
    new Promise((resolve) => {
      const p = spawn("bash", ["-c", line], { env, cwd: home });
      let stdout = "",
        stderr = "";
      p.stdout.on("data", (d) => (stdout += d));
      p.stderr.on("data", (d) => (stderr += d));
      p.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      p.stdin.end(input ?? "");
    });
  return {
    home,
    env,
    sh,
    async ok(line, input) {
      const r = await sh(line, input);
      expect(r.code, `${line}\n${r.stderr}`).toBe(0);
      return r.stdout;
    },
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}
