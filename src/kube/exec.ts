// Runs a command in a pod's container over the exec WebSocket (client-node's Exec), collecting
// stdout, stderr and the exit code from the API server's final Status. Used by `verify` to read
// the environment and the projected token from inside the pod; callers must never print stdout
// of a command that reads a token.
import { Writable } from "node:stream";
import { Exec, type V1Status } from "@kubernetes/client-node";
// Not re-exported by the package's index, but public in its typings: the only way to hand ws its
// handshakeTimeout (client-node 1.4 opens the exec WebSocket with none).
import { WebSocketHandler } from "@kubernetes/client-node/dist/web-socket-handler.js";
import WebSocket from "ws";
import { transientOf } from "../core/retry.js";
import type { ExecResult } from "../verify/ports.js";
import { replaceUserAuth, type KubeConnection } from "./connect.js";
import { kubeRetry, type KubeRetryOptions } from "./retry.js";

export type PodExec = (namespace: string, pod: string, container: string, command: string[], timeoutMs?: number) => Promise<ExecResult>;

function sink(chunks: Buffer[]): Writable {
  return new Writable({
    write(chunk, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
}

function exitCodeOf(s: V1Status): number | undefined {
  if (s.status === "Success") return 0;
  const cause = s.details?.causes?.find((c) => c.reason === "ExitCode");
  return cause?.message !== undefined ? Number(cause.message) : undefined;
}

/**
 * The exec WebSocket as client-node opens it, plus the per-request timeout on the handshake, and
 * a refused upgrade's Retry-After kept: left alone, ws turns a 429/503 into "Unexpected server
 * response: 503" and drops the headers. Our error has the same message (kubeTransient reads the
 * status from it) and carries `retryAfter`.
 */
function execSocket(timeoutMs: number) {
  return (uri: string, protocols: string[], opts: WebSocket.ClientOptions): WebSocket => {
    const ws = new WebSocket(uri, protocols, { ...opts, handshakeTimeout: timeoutMs });
    ws.on("unexpected-response", (req, res) => {
      ws.emit("error", Object.assign(new Error(`Unexpected server response: ${res.statusCode}`), { retryAfter: res.headers["retry-after"] }));
      res.resume();
      req.destroy(); // ws then closes the socket; its own error after ours is ignored (client-node rejected already)
    });
    return ws;
  };
}

export function podExec(conn: KubeConnection, token?: () => Promise<string>, retryOptions: KubeRetryOptions = {}): PodExec {
  const retry = kubeRetry({ ...retryOptions, timeoutMs: conn.timeoutMs });
  return async (namespace, pod, container, command, timeoutMs = 15_000) => {
    // The exec WebSocket takes no per-request headers: the token goes into the kubeconfig user.
    const kc = token ? replaceUserAuth(conn.kc, await token()) : conn.kc;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let status: V1Status | undefined;
    let ws;
    try {
      // Only the handshake is retried: a refused upgrade never ran the command. The handshake
      // (connect, TLS, the upgrade's answer) gets the per-request timeout; the session its own.
      const handler = new WebSocketHandler(kc, execSocket(conn.timeoutMs));
      ws = await retry(`exec in pod ${namespace}/${pod}`, () =>
        new Exec(kc, handler).exec(namespace, pod, container, command, sink(out), sink(err), null, false, (s) => {
          status = s;
        }),
      );
    } catch (e) {
      const failed: ExecResult = { stdout: "", stderr: "", error: upgradeError(e) };
      if (transientOf(e)) failed.transient = true;
      return failed;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        ws.close();
        resolve();
      }, timeoutMs);
      ws.on("close", () => {
        clearTimeout(timer);
        resolve();
      });
      ws.on("error", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const result: ExecResult = { stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") };
    if (status) {
      result.exitCode = exitCodeOf(status);
      if (result.exitCode === undefined && status.status !== "Success") result.error = status.message ?? status.reason ?? "exec failed";
    } else {
      result.error = "the exec stream ended without a status";
    }
    return result;
  };
}

/** client-node rejects a refused upgrade with the raw HTTP answer; keep its Status message. */
function upgradeError(e: unknown): string {
  const raw = e instanceof Error ? e.message : String((e as { message?: unknown })?.message ?? e);
  const m = /"message":"((?:[^"\\]|\\.)*)"/.exec(raw);
  return m ? JSON.parse(`"${m[1]}"`) : (raw.split("\n")[0] ?? raw);
}
