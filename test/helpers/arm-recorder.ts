// What the in-process sandbox's ARM listener answered, read off node:diagnostics_channel: tests
// assert what Azure's stand-in really said (a 404 during a replication window, a 409 on a
// concurrent write), not only the outcome the product reached.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** One request the sandbox's ARM listener answered: when it arrived and when the answer was sent. */
export interface ArmExchange {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  status?: number;
  code?: string;
  startedAt: number;
  endedAt?: number;
}

/** Records every request on the listener at `port` (in arrival order), with the ARM error code of its answer. */
export function recordArm(port: number): { log: ArmExchange[]; stop(): void } {
  const log: ArmExchange[] = [];
  const onStart = (message: unknown) => {
    const { request, response, server } = message as { request: IncomingMessage; response: ServerResponse; server: Server };
    const addr = server.address();
    if (!addr || typeof addr === "string" || addr.port !== port) return;
    let path = (request.url ?? "/").split("?")[0]!.replace(/^\/{2,}/, "/");
    try {
      path = decodeURIComponent(path);
    } catch {
      /* keep it raw */
    }
    const entry: ArmExchange = { method: request.method ?? "", path, headers: { ...request.headers }, startedAt: Date.now() };
    log.push(entry);
    // Noted as the answer is handed to the socket (before the client can see it), not on
    // "finish", which may fire after the client has already moved on.
    const end = response.end.bind(response) as (...a: unknown[]) => ServerResponse;
    (response as { end: unknown }).end = (chunk?: unknown, ...rest: unknown[]) => {
      entry.status = response.statusCode;
      entry.endedAt = Date.now();
      try {
        if (typeof chunk === "string" || Buffer.isBuffer(chunk)) entry.code = JSON.parse(chunk.toString())?.error?.code;
      } catch {
        /* not JSON */
      }
      return end(chunk, ...rest);
    };
  };
  subscribe("http.server.request.start", onStart);
  return { log, stop: () => unsubscribe("http.server.request.start", onStart) };
}
