// Runs the sandbox as a background process: `start` spawns `aks-wi sandbox start --foreground`
// detached, with its output in DIR/sandbox.log, and returns once every listener answers.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, closeSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { PrincipalCredentials, PrincipalSpec, SandboxInfo } from "./info.js";

/** DIR/sandbox.json when it holds what a client needs (a `{}` or hand-edited file is no sandbox). */
export function readInfo(dir: string): SandboxInfo | undefined {
  let info: Partial<SandboxInfo>;
  try {
    info = JSON.parse(readFileSync(join(dir, "sandbox.json"), "utf8")) as Partial<SandboxInfo>;
  } catch {
    return undefined;
  }
  if (!info || typeof info !== "object") return undefined;
  const strings = ["tenantId", "subscriptionId", "armEndpoint", "authorityHost", "kubeServer", "caFile", "kubeconfig", "clientId", "clientSecret"] as const;
  if (!Number.isInteger(info.pid) || (info.pid as number) <= 0 || strings.some((k) => typeof info[k] !== "string")) return undefined;
  return info as SandboxInfo;
}

/** Whether pid runs this sandbox's daemon (`aks-wi sandbox start --foreground --dir DIR`), by its
 *  command line; undefined where the command line cannot be read (no /proc). */
function runsSandboxOf(pid: number, dir: string): boolean | undefined {
  let argv: string[];
  try {
    argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return undefined;
  }
  const at = argv.indexOf("--dir");
  return argv.includes("sandbox") && argv.includes("--foreground") && at >= 0 && argv[at + 1] === dir;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** True when the kube listener's /healthz answers over TLS with the sandbox CA. */
export function answers(info: SandboxInfo, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    let ca: string;
    try {
      ca = readFileSync(info.caFile, "utf8");
    } catch {
      return resolve(false);
    }
    const req = request(`${info.kubeServer}/healthz`, { ca, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

/** The running sandbox in DIR, if any. */
export async function running(dir: string): Promise<SandboxInfo | undefined> {
  const info = readInfo(dir);
  if (!info || !isAlive(info.pid)) return undefined;
  return (await answers(info)) ? info : undefined;
}

export interface SpawnResult {
  info?: SandboxInfo;
  log: string;
  exited?: number | null;
}

/** Spawns the foreground sandbox detached and waits until it answers (or exits, or times out). */
export async function spawnDetached(p: { dir: string; entry: string; args: string[]; timeoutMs?: number }): Promise<SpawnResult> {
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  const log = join(p.dir, "sandbox.log");
  const fd = openSync(log, "a", 0o600);
  const child = spawn(process.execPath, [p.entry, "sandbox", "start", "--foreground", "--dir", p.dir, ...p.args], {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: { ...process.env, AKS_WI_SANDBOX_DIR: p.dir },
  });
  closeSync(fd);
  let exited: number | null | undefined;
  child.on("exit", (code) => (exited = code));
  child.unref();
  const deadline = Date.now() + (p.timeoutMs ?? 15_000);
  while (Date.now() < deadline && exited === undefined) {
    const info = readInfo(p.dir);
    if (info && info.pid === child.pid && (await answers(info, 500))) return { info, log };
    await sleep(25);
  }
  if (exited === undefined && child.pid) {
    try {
      process.kill(child.pid, "SIGTERM");
    } catch {
      /* already gone */
    }
  }
  return { log, exited };
}

/**
 * Whether the pid in sandbox.json is this sandbox: it answers /healthz with the sandbox's CA, or its
 * command line is this directory's daemon. After a reboot or an OOM kill the pid may be anyone's.
 */
export async function isOurDaemon(info: SandboxInfo, dir: string): Promise<boolean> {
  if (!isAlive(info.pid)) return false;
  // Only this sandbox's listeners hold a certificate its CA signed (a sandbox in the tests runs in-process).
  return runsSandboxOf(info.pid, dir) === true || answers(info);
}

/** Stops the sandbox whose pid is in DIR/sandbox.json: SIGTERM, then SIGKILL after a grace period.
 *  A pid that is not provably this sandbox is never signalled ("not-running"). */
export async function stopDaemon(dir: string, graceMs = 5000): Promise<"stopped" | "not-running"> {
  const info = readInfo(dir);
  if (!info || !(await isOurDaemon(info, dir))) return "not-running";
  process.kill(info.pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(info.pid)) return "stopped";
    await sleep(25);
  }
  try {
    process.kill(info.pid, "SIGKILL");
  } catch {
    /* gone meanwhile */
  }
  return "stopped";
}

export const logTail = (file: string, lines = 5): string => {
  if (!existsSync(file)) return "";
  return readFileSync(file, "utf8").trim().split("\n").slice(-lines).join("\n");
};

/** A refusal of the running sandbox's control API, in its words. */
export class ControlError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

/** Asks the sandbox running as `info` to make a principal (control/principals.ts), signed in as its operator. */
export function createPrincipal(info: SandboxInfo, spec: PrincipalSpec): Promise<PrincipalCredentials> {
  const body = JSON.stringify(spec);
  const basic = Buffer.from(`${encodeURIComponent(info.clientId)}:${encodeURIComponent(info.clientSecret)}`).toString("base64");
  return new Promise((resolve, reject) => {
    const req = request(
      `${info.authorityHost}/_sandbox/principals`,
      {
        method: "POST",
        ca: readFileSync(info.caFile, "utf8"),
        headers: { authorization: `Basic ${basic}`, "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          if (res.statusCode === 201 && json) return resolve(json as PrincipalCredentials);
          reject(new ControlError(json?.error?.message ?? `the sandbox answered ${res.statusCode}`, res.statusCode ?? 0, json?.error?.code ?? "Unknown"));
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
