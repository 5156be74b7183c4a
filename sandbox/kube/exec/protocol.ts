// The pods/exec WebSocket protocol kubectl and client-node speak (v5.channel.k8s.io, and
// v4.channel.k8s.io before it): every binary message starts with a channel byte — 0 stdin,
// 1 stdout, 2 stderr, 3 error (a metav1.Status, which carries the exit code), 4 resize, and in
// v5 only 255 close (the client's end of stdin). What runs over it is session.ts's business.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type WebSocket } from "ws";
import type { SandboxResponse } from "../../core/types.js";
import { badRequest } from "../status.js";

export const PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];
const STDIN = 0,
  STDOUT = 1,
  STDERR = 2,
  ERROR = 3,
  CLOSE = 255;

const wss = new WebSocketServer({
  noServer: true,
  handleProtocols: (offered) => PROTOCOLS.find((p) => offered.has(p)) ?? false,
});

/** Writes a plain HTTP error answer on a socket that will not be upgraded. */
export function rejectUpgrade(socket: Duplex, res: SandboxResponse): void {
  const body = JSON.stringify(res.body ?? {});
  const reason = { 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error" }[res.status] ?? "Error";
  try {
    socket.end(
      `HTTP/1.1 ${res.status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  } catch {
    socket.destroy();
  }
}

/** The refusal kube-apiserver sends when the client offers none of the protocols. */
export function unsupportedProtocol(req: IncomingMessage): SandboxResponse | undefined {
  const offered = String(req.headers["sec-websocket-protocol"] ?? "")
    .split(",")
    .map((s) => s.trim());
  if (PROTOCOLS.some((p) => offered.includes(p))) return undefined;
  return badRequest(`unable to upgrade connection: requested protocols ${JSON.stringify(offered)} are not supported; supported: ${JSON.stringify(PROTOCOLS)}`);
}

/** The Status on the error channel for a command's exit: Success, or NonZeroExitCode with the code. */
export function exitStatus(command: string[], code: number) {
  if (code === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${command.join(" ")}], exit code ${code}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(code) }] },
  };
}

const asBuffer = (data: unknown) => (Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));

/** One exec session's channels over an upgraded socket. */
export class ExecChannels {
  constructor(
    private readonly ws: WebSocket,
    private readonly tty: boolean,
  ) {}

  /** v5 lets the client close stdin; under v4 stdin ends only with the socket. */
  get canCloseStdin(): boolean {
    return this.ws.protocol === "v5.channel.k8s.io";
  }

  /** Output on stdout or stderr; with a tty both go to stdout, with CRLF line ends, as a terminal shows them. */
  write(stream: "stdout" | "stderr", data: string): void {
    if (!data || this.ws.readyState !== this.ws.OPEN) return;
    const text = this.tty ? data.replace(/\r?\n/g, "\r\n") : data;
    const ch = stream === "stderr" && !this.tty ? STDERR : STDOUT;
    this.ws.send(Buffer.concat([Buffer.from([ch]), Buffer.from(text)]));
  }

  /** Ends the session: the Status on the error channel, then a normal close. */
  end(status: object): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(Buffer.concat([Buffer.from([ERROR]), Buffer.from(JSON.stringify(status))]));
    this.ws.close(1000);
  }

  /** Calls `input` with stdin text as it arrives and `eof` when the client closes stdin (v5). */
  onStdin(input: (text: string) => void, eof: () => void): void {
    this.ws.on("message", (data: unknown, isBinary: boolean) => {
      const buf = asBuffer(data);
      if (!isBinary && buf.length === 0) return;
      if (buf[0] === CLOSE) {
        if (buf[1] === STDIN) eof();
        return;
      }
      if (buf[0] === STDIN) input(buf.subarray(1).toString("utf8")); // resize and others are ignored
    });
  }

  onClose(done: () => void): void {
    this.ws.on("close", done);
  }

  /** All of stdin: until the client's v5 close of channel 0, or the socket closes. */
  readStdin(): Promise<string> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const done = () => {
        this.ws.off("message", onMsg);
        resolve(Buffer.concat(chunks).toString("utf8"));
      };
      const onMsg = (data: unknown) => {
        const buf = asBuffer(data);
        if (buf[0] === STDIN) chunks.push(buf.subarray(1));
        if (buf[0] === CLOSE && buf[1] === STDIN) done();
      };
      this.ws.on("message", onMsg);
      this.ws.on("close", done);
    });
  }
}

/** Upgrades the request and hands the channels over; a failed upgrade drops the socket. */
export function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, tty: boolean, run: (channels: ExecChannels) => Promise<void>): void {
  try {
    wss.handleUpgrade(req, socket, head, (ws) => {
      run(new ExecChannels(ws, tty)).catch(() => {
        try {
          ws.close(1011);
        } catch {
          /* gone */
        }
      });
    });
  } catch {
    socket.destroy();
  }
}
