// One HTTPS listener per sandbox service. Turns Node requests into SandboxRequests, applies the
// fault plan, and writes SandboxResponses. A handler can never crash the process: anything it
// throws becomes a 500 in the service's own error shape.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { faultResponse, type FaultPlan } from "./faults.js";
import { callerOf, loggedPath, type RequestLog } from "./request-log.js";
import type { ServiceName } from "../info.js";
import type { SandboxResponse, SandboxService } from "./types.js";

const MAX_BODY = 16 * 1024 * 1024;

export interface Listener {
  name: ServiceName;
  server: Server;
  port: number;
  /** Set once the world exists; requests before that get 503. */
  attach(service: SandboxService): void;
  close(): Promise<void>;
}

function send(res: ServerResponse, r: SandboxResponse): void {
  const headers: Record<string, string> = { ...(r.headers ?? {}) };
  const hasType = Object.keys(headers).some((h) => h.toLowerCase() === "content-type");
  let payload: string | Buffer = "";
  if (Buffer.isBuffer(r.body) || typeof r.body === "string") {
    payload = r.body;
    if (!hasType) headers["content-type"] = "text/plain; charset=utf-8";
  } else if (r.body !== undefined && r.body !== null) {
    payload = JSON.stringify(r.body);
    if (!hasType) headers["content-type"] = "application/json; charset=utf-8";
  }
  res.writeHead(r.status, headers);
  res.end(payload);
}

function readBody(raw: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    raw.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(undefined);
        raw.resume();
        return;
      }
      chunks.push(c);
    });
    raw.on("end", () => resolve(Buffer.concat(chunks)));
    raw.on("error", reject);
  });
}

/** Logs one request once its answer is out (or its connection gone). */
function logWhenDone(log: RequestLog | undefined, name: ServiceName, raw: IncomingMessage, res: ServerResponse): void {
  if (!log) return;
  const time = new Date().toISOString();
  const t0 = performance.now();
  res.once("close", () => {
    log.append({
      time,
      service: name,
      method: raw.method ?? "GET",
      path: loggedPath(raw.url ?? "/"),
      status: res.headersSent ? res.statusCode : null,
      ms: Math.round(performance.now() - t0),
      caller: callerOf(raw),
    });
  });
}

/** Logs a WebSocket upgrade when its handshake is answered: the status line of the first bytes
 *  written to the socket (101, or the refusal), or null when it closes unanswered. */
function logUpgrade(log: RequestLog | undefined, name: ServiceName, raw: IncomingMessage, socket: Duplex): void {
  if (!log) return;
  const time = new Date().toISOString();
  const t0 = performance.now();
  let done = false;
  const once = (status: number | null) => {
    if (done) return;
    done = true;
    log.append({
      time,
      service: name,
      method: raw.method ?? "GET",
      path: loggedPath(raw.url ?? "/"),
      status,
      ms: Math.round(performance.now() - t0),
      caller: callerOf(raw),
    });
  };
  const statusOf = (chunk: unknown) => {
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(Buffer.isBuffer(chunk) ? chunk.subarray(0, 16).toString("latin1") : String(chunk ?? "").slice(0, 16));
    return m ? Number(m[1]) : null;
  };
  const { write, end } = socket;
  socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
    once(statusOf(chunk));
    return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Duplex["write"];
  socket.end = function (this: Duplex, chunk?: unknown, ...rest: unknown[]) {
    if (chunk !== undefined && typeof chunk !== "function") once(statusOf(chunk));
    return (end as (...a: unknown[]) => Duplex).call(this, chunk, ...rest);
  } as Duplex["end"];
  socket.once("close", () => once(null));
}

const REASON: Record<number, string> = { 429: "Too Many Requests", 500: "Internal Server Error", 503: "Service Unavailable" };

/** An injected status on a WebSocket upgrade: the same answer (status, Retry-After, the service's
 *  error body) an HTTP request gets, written on the socket that is then not upgraded. */
function refuseUpgrade(socket: Duplex, r: SandboxResponse): void {
  const body = JSON.stringify(r.body ?? {});
  const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`);
  socket.end(
    `HTTP/1.1 ${r.status} ${REASON[r.status] ?? "Error"}\r\n${headers.join("")}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ListenOptions {
  faults: FaultPlan;
  /** 0 = any free port. */
  port?: number;
  log?: RequestLog;
  /** The network's round trip: every request (and WebSocket handshake) waits this long before it is served. */
  rttMs?: number;
}

export async function listen(name: ServiceName, tls: { key: string; cert: string }, opts: ListenOptions): Promise<Listener> {
  const { faults, port = 0, log, rttMs = 0 } = opts;
  let service: SandboxService | undefined;
  const upgraded = new Set<Duplex>();
  const server = createServer({ key: tls.key, cert: tls.cert });
  // Clients (SDK pipelines, kubectl) keep connections alive; idle ones are reaped quickly so a
  // stop never waits on them.
  server.keepAliveTimeout = 5_000;

  server.on("request", async (raw: IncomingMessage, res: ServerResponse) => {
    logWhenDone(log, name, raw, res);
    try {
      const body = await readBody(raw);
      if (rttMs > 0) await sleep(rttMs);
      if (!service) return send(res, faultResponse(name, "503", 1));
      if (body === undefined)
        return send(res, {
          status: 413,
          body: name === "arm" ? { error: { code: "RequestEntityTooLarge", message: "The request body is too large." } } : "request entity too large",
        });
      const fault = faults.next(name);
      if (fault === "drop") {
        raw.socket.destroy();
        return;
      }
      if (fault === "slow") await sleep(faults.slowMs);
      if (fault === "429" || fault === "500" || fault === "503") return send(res, faultResponse(name, fault, faults.retryAfterSeconds));
      // ARM clients (the authorization SDK) send `//subscriptions/...`: collapse leading slashes.
      const url = new URL((raw.url ?? "/").replace(/^\/{2,}/, "/"), `https://${raw.headers.host ?? "127.0.0.1"}`);
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        path = url.pathname;
      }
      const r = await service.handle({ method: raw.method ?? "GET", url, path, headers: raw.headers, body, raw });
      if (!res.headersSent) send(res, r);
    } catch {
      if (!res.headersSent) send(res, faultResponse(name, "500", 1));
      else res.destroy();
    }
  });

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    logUpgrade(log, name, req, socket);
    upgraded.add(socket);
    socket.on("close", () => upgraded.delete(socket));
    socket.on("error", () => socket.destroy());
    if (!service?.upgrade) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    const upgrade = service.upgrade;
    const serve = async () => {
      // The upgrade draws from the same fault plan as the service's HTTP requests.
      const fault = faults.next(name, "exec");
      if (fault === "drop") return void socket.destroy();
      if (fault === "slow") await sleep(faults.slowMs);
      if (fault === "429" || fault === "500" || fault === "503") return refuseUpgrade(socket, faultResponse(name, fault, faults.retryAfterSeconds));
      if (socket.destroyed) return;
      try {
        upgrade(req, socket, head);
      } catch {
        socket.destroy();
      }
    };
    if (rttMs > 0) setTimeout(() => void serve(), rttMs);
    else void serve();
  });
  server.on("tlsClientError", () => {
    /* a client that gives up mid-handshake is not our problem */
  });
  server.on("clientError", (_e, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    name,
    server,
    port: (server.address() as AddressInfo).port,
    attach(s) {
      service = s;
    },
    async close() {
      for (const s of upgraded) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
