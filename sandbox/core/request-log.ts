// DIR/requests.jsonl: one line per request on every listener, so tests and `npm run bench` can
// count what a client sent (and how long each answer took) without a proxy. A line holds only
// what is safe to keep in a file: no header, no body, no query value but api-version (a query
// can carry a code or a secret), so no token, secret or assertion can ever reach it.
import { appendFileSync, createWriteStream, readFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import type { IncomingMessage } from "node:http";
import type { RequestLogEntry } from "../info.js";

export const REQUEST_LOG = "requests.jsonl";

/** Query values kept in the log: api-version says which API a client spoke, and is never a secret. */
const KEPT_QUERY_VALUES = new Set(["api-version"]);

/** The path as logged: the raw path, then the query's keys in order, each value dropped except
 *  api-version's (`/x?api-version=2024-05-01&$filter`). */
export function loggedPath(rawUrl: string): string {
  const q = rawUrl.indexOf("?");
  const path = (q < 0 ? rawUrl : rawUrl.slice(0, q)).replace(/^\/{2,}/, "/");
  if (q < 0) return path;
  const keys = [...new URLSearchParams(rawUrl.slice(q + 1)).entries()].map(([k, v]) =>
    KEPT_QUERY_VALUES.has(k.toLowerCase()) ? `${k}=${encodeURIComponent(v)}` : k,
  );
  return keys.length ? `${path}?${keys.join("&")}` : path;
}

// Who a request authenticated as, noted by the service that checked its credential and read by
// the listener when it logs the request. Keyed by Node's request object, which lives exactly as
// long as the request.
const callers = new WeakMap<object, string>();

/** Records the identity a request authenticated as (an object ID, or a Kubernetes user name). */
export function noteCaller(raw: IncomingMessage | undefined, caller: string): void {
  if (raw && typeof raw === "object") callers.set(raw, caller);
}

export function callerOf(raw: IncomingMessage): string | null {
  return callers.get(raw) ?? null;
}

/** Appends entries asynchronously (a write stream, so a request never waits on the disk); `close()`
 *  resolves once every line is on disk. A line that arrives after close is written synchronously. */
export class RequestLog {
  private stream: WriteStream | undefined;
  constructor(readonly file: string) {
    this.stream = createWriteStream(file, { flags: "a", mode: 0o600 });
    // a full disk must not take the sandbox down: the log is a record, not the service
    this.stream.on("error", () => {
      this.stream = undefined;
    });
  }

  append(entry: RequestLogEntry): void {
    const line = JSON.stringify(entry) + "\n";
    if (this.stream) this.stream.write(line);
    else {
      try {
        appendFileSync(this.file, line, { mode: 0o600 });
      } catch {
        /* see the stream's error handler */
      }
    }
  }

  close(): Promise<void> {
    const s = this.stream;
    this.stream = undefined;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}

/** The request log of the sandbox in DIR, oldest first (empty when there is none). */
export function readRequestLog(dir: string): RequestLogEntry[] {
  let text: string;
  try {
    text = readFileSync(join(dir, REQUEST_LOG), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as RequestLogEntry];
      } catch {
        return []; // a line cut short by a killed process
      }
    });
}
