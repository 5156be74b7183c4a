// --debug: one stderr line per HTTP call this process makes (method, URL, status, duration,
// request id), like az's --debug. It listens on Node's http diagnostics channels, the layer every
// client here shares (the Azure SDKs' and @azure/identity's pipeline, client-node's node-fetch,
// the exec websocket), so no client can be missed. Only the request line and status are read:
// never a header's value other than the request id, never a body, so tokens and secrets cannot
// show. Query values are redacted except api-version.
import dc from "node:diagnostics_channel";
import type { ClientRequest, IncomingMessage } from "node:http";

/** Response headers that name the request for a support case, most specific first. */
const REQUEST_ID_HEADERS = ["x-ms-request-id", "x-ms-correlation-request-id", "audit-id", "x-request-id", "client-request-id"];

const KEEP_QUERY = new Set(["api-version"]);

/** The URL with every query value but api-version replaced by REDACTED. */
export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const key = eq < 0 ? pair : pair.slice(0, eq);
      if (eq < 0) return key;
      return KEEP_QUERY.has(decodeURIComponent(key).toLowerCase()) ? pair : `${key}=REDACTED`;
    });
  return `${url.slice(0, q)}?${params.join("&")}`;
}

function urlOf(req: ClientRequest): string {
  const host = String(req.getHeader("host") ?? req.host);
  return redactUrl(`${req.protocol}//${host}${req.path}`);
}

function requestId(res: IncomingMessage): string | undefined {
  for (const h of REQUEST_ID_HEADERS) {
    const v = res.headers[h];
    if (v) return Array.isArray(v) ? v[0] : v;
  }
  return undefined;
}

/** Starts tracing to `write`; returns the function that stops it. */
export function startDebugTrace(write: (line: string) => void, now: () => number = Date.now): () => void {
  const started = new WeakMap<ClientRequest, number>();
  const onStart = (m: unknown) => {
    const req = (m as { request: ClientRequest }).request;
    started.set(req, now());
    // A websocket (kubectl exec's channel) answers 101 as an upgrade, which the response channel never sees.
    if (req.getHeader("upgrade")) req.once("upgrade", (res: IncomingMessage) => onResponse({ request: req, response: res }));
  };
  const ms = (req: ClientRequest) => `${now() - (started.get(req) ?? now())} ms`;
  function onResponse(m: unknown): void {
    const { request, response } = m as { request: ClientRequest; response: IncomingMessage };
    const id = requestId(response);
    write(`debug: ${request.method} ${urlOf(request)} → ${response.statusCode} (${ms(request)})${id ? ` request-id ${id}` : ""}`);
  }
  const onError = (m: unknown) => {
    const { request, error } = m as { request: ClientRequest; error: Error & { code?: string } };
    write(`debug: ${request.method} ${urlOf(request)} → ${error.code ?? error.message} (${ms(request)})`);
  };
  const channels: [string, (m: unknown) => void][] = [
    ["http.client.request.start", onStart],
    ["http.client.response.finish", onResponse],
    ["http.client.request.error", onError],
  ];
  for (const [name, fn] of channels) dc.subscribe(name, fn);
  return () => {
    for (const [name, fn] of channels) dc.unsubscribe(name, fn);
  };
}
