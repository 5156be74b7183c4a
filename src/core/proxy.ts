// Which proxy an HTTPS request goes through, read from the environment as curl reads it, and the
// agent that sends it there. One rule for every call aks-wi makes: the Azure SDK clients and
// credentials (azure/proxy-policy.ts), the raw HTTPS calls (azure/exchange.ts), the Kubernetes
// client (kube/connect.ts, as a kubeconfig `proxy-url`, which the user's own kubeconfig may set
// instead). The tunnel itself is https-proxy-agent's CONNECT (the one core-rest-pipeline uses).
//
// The rule (curl's, CURLOPT_NOPROXY and the curl(1) ENVIRONMENT section): an https URL goes to
// https_proxy/HTTPS_PROXY, else all_proxy/ALL_PROXY (lower case first); a value without a scheme
// is http://. NO_PROXY is a comma-separated list: `*` matches every host; a name matches that
// host and every host in its domain ("example.com" and ".example.com" both match
// api.example.com, not myexample.com); an IP address matches itself, and a CIDR range
// (10.0.0.0/8) the addresses in it; IPv6 without brackets; `host:port` only that port. Not
// proxy-from-env, which matches "example.com" against that host alone and knows no CIDR. Unlike
// kubectl (Go's http.ProxyFromEnvironment), loopback addresses are not exempt: as with curl, az
// and the Azure SDK, NO_PROXY must name them (e.g. NO_PROXY=localhost,127.0.0.1).
import { Agent as HttpsAgent } from "node:https";
import { BlockList, isIP } from "node:net";
import { createRequire } from "node:module";
import { UserError } from "./errors.js";

type Env = NodeJS.ProcessEnv;

const read = (env: Env, name: string): string | undefined => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;

/** The proxy URL the environment names for https requests, if any (not yet checked against NO_PROXY). */
function httpsProxyEnv(env: Env): { name: string; value: string } | undefined {
  for (const name of ["HTTPS_PROXY", "ALL_PROXY"]) {
    const value = read(env, name);
    if (value) return { name, value };
  }
  return undefined;
}

/** A proxy URL as messages may show it: scheme, host and port, never a user or password. */
export function redactProxy(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}`;
  } catch {
    return "(not a URL)";
  }
}

/** The env's proxy value as a URL; a value that is not one is an input mistake, named without its credentials. */
function parseProxy(name: string, value: string): URL {
  const withScheme = value.includes("://") ? value : `http://${value}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new UserError(`${name} is not a proxy URL`, `set it to http://HOST:PORT (or https://), or unset it`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new UserError(
      `${name} names a ${u.protocol.replace(/:$/, "")} proxy (${redactProxy(u)}): only http:// and https:// proxies are supported`,
      "use an HTTP proxy's URL, or unset it",
    );
  return u;
}

/** True when NO_PROXY says `url`'s host is reached directly. */
export function bypassesProxy(url: URL, env: Env = process.env): boolean {
  const list = (read(env, "NO_PROXY") ?? "")
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const family = isIP(host);
  return list.some((entry) => {
    if (entry === "*") return true;
    let name = entry;
    // host:port (not an IPv6 address, which has more than one colon)
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      if (Number(withPort[2]) !== port) return false;
      name = withPort[1]!;
    }
    name = name.replace(/^\[|\]$/g, "");
    const cidr = /^(.+)\/(\d{1,3})$/.exec(name);
    if (cidr && isIP(cidr[1]!) && family) {
      const range = new BlockList();
      const type = isIP(cidr[1]!) === 6 ? "ipv6" : "ipv4";
      try {
        range.addSubnet(cidr[1]!, Number(cidr[2]), type);
      } catch {
        return false; // a prefix too long for its family matches nothing
      }
      return range.check(host, family === 6 ? "ipv6" : "ipv4");
    }
    if (isIP(name) || family) return name === host;
    const domain = name.replace(/^\*?\./, "");
    return host === domain || host.endsWith(`.${domain}`);
  });
}

/** The proxy an https request to `url` goes through, or undefined for a direct connection. */
export function proxyFor(url: string | URL, env: Env = process.env): URL | undefined {
  const u = new URL(String(url));
  if (u.protocol !== "https:" && u.protocol !== "wss:") return undefined; // aks-wi speaks HTTPS only
  const configured = httpsProxyEnv(env);
  if (!configured) return undefined;
  const proxy = parseProxy(configured.name, configured.value);
  return bypassesProxy(u, env) ? undefined : proxy;
}

/** True when the environment names an https proxy at all (then every request's route is ours to choose). */
export function proxyConfigured(env: Env = process.env): boolean {
  const configured = httpsProxyEnv(env);
  if (configured) parseProxy(configured.name, configured.value);
  return !!configured;
}

type HttpsProxyAgentClass = typeof import("https-proxy-agent").HttpsProxyAgent;
let Tunnel: (new (proxy: URL, ca: string | undefined) => HttpsAgent) | undefined;

/**
 * A CONNECT tunnel that checks the target's certificate against `ca`: https-proxy-agent keeps
 * its own options for the proxy and takes the target's TLS options from each request, which the
 * Azure SDK's HTTP client does not fill (it hands the CA to agents it makes itself). Loaded on
 * first use, so a run without a proxy never loads it.
 */
function tunnelAgent(proxy: URL, ca: string | undefined): HttpsAgent {
  if (!Tunnel) {
    const { HttpsProxyAgent } = createRequire(import.meta.url)("https-proxy-agent") as { HttpsProxyAgent: HttpsProxyAgentClass };
    type Connect = InstanceType<HttpsProxyAgentClass>["connect"];
    Tunnel = class TunnelAgent extends HttpsProxyAgent<string> {
      constructor(
        proxy: URL,
        private readonly ca: string | undefined,
      ) {
        super(proxy.href, { keepAlive: true });
      }
      override connect(req: Parameters<Connect>[0], opts: Parameters<Connect>[1]) {
        return super.connect(req, opts.secureEndpoint && this.ca ? { ...opts, ca: opts.ca ?? this.ca } : opts);
      }
    };
  }
  return new Tunnel(proxy, ca);
}

const agents = new Map<string, HttpsAgent>();

/**
 * The agent for an https request to `url` with the CA to trust (undefined: the system's): a
 * CONNECT tunnel through the proxy, or a direct keep-alive agent when NO_PROXY exempts the host.
 * Undefined when no proxy is configured at all, so nothing changes for those who have none. One
 * agent per (proxy, CA), so connections are reused.
 */
export function httpsAgentFor(url: string | URL, ca?: string, env: Env = process.env): HttpsAgent | undefined {
  if (!proxyConfigured(env)) return undefined;
  const proxy = proxyFor(url, env);
  const key = `${proxy?.href ?? "direct"}|${ca ?? ""}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = proxy ? tunnelAgent(proxy, ca) : new HttpsAgent({ keepAlive: true, ...(ca ? { ca } : {}) });
    agents.set(key, agent);
  }
  return agent;
}
