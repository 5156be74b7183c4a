// pods/exec over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io): each binary message starts with
// a channel byte — 0 stdin, 1 stdout, 2 stderr, 3 error (a Status), 4 resize, 255 close (v5).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { SandboxResponse } from "../core/types.js";
import type { KubeApi } from "./api.js";
import { containerView } from "./pods.js";
import { Shell, execArgv, type ContainerView } from "./shell.js";
import { statusBody } from "./status.js";

const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const SHELLS = new Set(["sh", "/bin/sh", "bash", "/bin/bash", "ash", "/bin/ash"]);

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

/** Writes a plain HTTP error answer on a socket that will not be upgraded. */
export function rejectUpgrade(socket: Duplex, res: SandboxResponse): void {
  const body = JSON.stringify(res.body ?? {});
  const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error" }[res.status] ?? "Error";
  try {
    socket.end(`HTTP/1.1 ${res.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  } catch { socket.destroy(); }
}

export interface ExecRequest { namespace: string; pod: string; url: URL }

/** Validates the exec request against the pod, then upgrades and runs the command. */
export function handleExec(api: KubeApi, req: IncomingMessage, socket: Duplex, head: Buffer, ex: ExecRequest): void {
  const pod = api.store.get("pods", ex.namespace, ex.pod);
  if (!pod) return rejectUpgrade(socket, { status: 404, body: statusBody(404, `pods "${ex.pod}" not found`, "NotFound", { name: ex.pod, kind: "pods" }) });
  const q = ex.url.searchParams;
  const command = q.getAll("command");
  if (command.length === 0) return rejectUpgrade(socket, { status: 400, body: statusBody(400, "you must specify at least 1 command", "BadRequest") });
  const pick = api.pickContainer(pod, q.get("container"));
  if (!pick.ok) return rejectUpgrade(socket, pick.res);
  const st = (pod.status?.containerStatuses ?? []).find((s: any) => s.name === pick.c.name);
  if (!st?.state?.running) return rejectUpgrade(socket, { status: 400, body: statusBody(400, `unable to upgrade connection: container not found ("${pick.c.name}")`, "BadRequest") });
  const offered = String(req.headers["sec-websocket-protocol"] ?? "").split(",").map((s) => s.trim());
  if (!PROTOCOLS.some((p) => offered.includes(p)))
    return rejectUpgrade(socket, { status: 400, body: statusBody(400, `unable to upgrade connection: requested protocols ${JSON.stringify(offered)} are not supported; supported: ${JSON.stringify(PROTOCOLS)}`, "BadRequest") });
  const sa = api.store.get("serviceaccounts", pod.metadata.namespace, pod.spec.serviceAccountName);
  const view = containerView(api.ctx, pod, pick.c, sa);
  const opts = { stdin: q.get("stdin") === "true" || q.get("stdin") === "1", tty: q.get("tty") === "true" || q.get("tty") === "1", command };
  try {
    wss.handleUpgrade(req, socket, head, (ws) => { runSession(ws, view, opts).catch(() => { try { ws.close(1011); } catch { /* gone */ } }); });
  } catch { socket.destroy(); }
}

function exitStatus(command: string[], code: number) {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {}, status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

async function runSession(ws: WebSocket, view: ContainerView, o: { stdin: boolean; tty: boolean; command: string[] }): Promise<void> {
  const send = (ch: number, data: string) => {
    if (!data || ws.readyState !== ws.OPEN) return;
    const text = o.tty ? data.replace(/\r?\n/g, "\r\n") : data;
    ws.send(Buffer.concat([Buffer.from([o.tty && ch === 2 ? 1 : ch]), Buffer.from(text)]));
  };
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    if (ws.readyState === ws.OPEN) {
      ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(exitStatus(o.command, code)))]));
      ws.close(1000);
    }
  };
  const [cmd, ...args] = o.command;
  const interactiveShell = SHELLS.has(cmd) && !args.includes("-c") && o.stdin;

  if (!interactiveShell) {
    let input: string | undefined;
    if (o.stdin && ws.protocol === "v5.channel.k8s.io") input = await collectStdin(ws);
    const r = await execArgv(view, o.command, input);
    if ("notFound" in r) {
      const msg = `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${r.notFound}": executable file not found in $PATH: unknown`;
      if (ws.readyState === ws.OPEN) {
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify({ metadata: {}, status: "Failure", message: msg, reason: "InternalError", details: { causes: [{ message: msg }] }, code: 500 }))]));
        ws.close(1000);
      }
      finished = true;
      return;
    }
    send(1, r.stdout); send(2, r.stderr);
    finish(r.code);
    return;
  }

  // An interactive shell: lines from stdin run as they arrive; with a tty we echo and prompt.
  const shell = new Shell(view);
  const prompt = () => { if (o.tty) send(1, "/ # "); };
  let line = "";
  let lastCode = 0;
  let queue = Promise.resolve();
  const runLine = (l: string) => {
    queue = queue.then(async () => {
      if (finished) return;
      const r = await shell.runLine(l);
      lastCode = r.code;
      send(1, r.stdout); send(2, r.stderr);
      if (r.exit) finish(r.code); else prompt();
    });
  };
  prompt();
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as unknown as ArrayBuffer);
    if (!isBinary && buf.length === 0) return;
    const ch = buf[0];
    if (ch === 255) {
      // v5 close of stdin: run any unterminated last line, then end like sh at EOF
      if (buf[1] === 0) {
        if (line) { const l = line; line = ""; runLine(l); }
        queue = queue.then(() => finish(lastCode));
      }
      return;
    }
    if (ch !== 0) return; // resize and others
    for (const c of buf.subarray(1).toString("utf8")) {
      if (o.tty) {
        if (c === "\r" || c === "\n") { send(1, "\n"); const l = line; line = ""; runLine(l); }
        else if (c === "\x7f" || c === "\b") { if (line) { line = line.slice(0, -1); send(1, "\b \b"); } }
        else if (c === "\x03") { line = ""; send(1, "^C\n"); prompt(); }
        else if (c === "\x04") { if (!line) queue = queue.then(() => { send(1, "\n"); finish(lastCode); }); }
        else { line += c; send(1, c); }
      } else if (c === "\n") { const l = line; line = ""; runLine(l); }
      else line += c;
    }
  });
  ws.on("close", () => { finished = true; });
}

/** Reads stdin until the client's v5 close signal for channel 0 (or the socket closes). */
function collectStdin(ws: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const done = () => { ws.off("message", onMsg); resolve(Buffer.concat(chunks).toString("utf8")); };
    const onMsg = (data: Buffer) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as unknown as ArrayBuffer);
      if (buf[0] === 0) chunks.push(buf.subarray(1));
      if (buf[0] === 255 && buf[1] === 0) done();
    };
    ws.on("message", onMsg);
    ws.on("close", done);
  });
}
