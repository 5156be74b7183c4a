// Issue 11: HTTPS_PROXY / NO_PROXY honoured by every call aks-wi makes (src/core/proxy.ts): the
// Azure SDK clients and credential, the Kubernetes client (REST and the exec WebSocket), and the
// raw HTTPS calls (token exchange, access probes, issuer fetch). A tiny CONNECT proxy on
// 127.0.0.1 tunnels and records each target; it asks for the credentials the proxy URL carries,
// which no output shows, --debug included. With NO_PROXY naming 127.0.0.1 nothing goes through it.
import { createServer, type Server } from "node:http";
import { connect as netConnect, type Socket } from "node:net";
import { readFileSync, rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxCloud } from "../../src/azure/cloud.js";
import { probeIssuer } from "../../src/azure/exchange.js";
import { connect } from "../../src/kube/connect.js";
import { podExec } from "../../src/kube/exec.js";
import { startTestSandbox, type TestSandbox } from "../helpers/sandbox.js";
import { runCli, tempDir, vaultId, type CliResult } from "../helpers/init-cli.harness.js";

const USER = "proxy-user";
const PASSWORD = "pr0xy-s3cret";
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

let sb: TestSandbox;
let proxy: Server;
let proxyUrl: string;
const targets: string[] = [];
const sockets = new Set<Socket>();
const cwd = tempDir("aks-wi-proxy-cwd-");

beforeAll(async () => {
  sb = await startTestSandbox();
  proxy = createServer((_req, res) => {
    res.writeHead(405);
    res.end(); // only CONNECT is served: everything aks-wi sends is HTTPS
  });
  proxy.on("connect", (req, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on("close", () => sockets.delete(client));
    client.on("error", () => client.destroy());
    if (req.headers["proxy-authorization"] !== AUTH) {
      client.end("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n");
      return;
    }
    targets.push(req.url ?? "");
    const [host, port] = (req.url ?? "").split(":");
    const upstream = netConnect(Number(port), host, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
  proxyUrl = `http://${USER}:${PASSWORD}@127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => proxy.close(() => r()));
  await sb.stop();
  rmSync(cwd, { recursive: true, force: true });
});

/** The proxy variables in both spellings, so none of the runner's own leaks in. */
const proxyEnv = (noProxy: string) => ({ HTTPS_PROXY: proxyUrl, https_proxy: proxyUrl, NO_PROXY: noProxy, no_proxy: noProxy, ALL_PROXY: "", all_proxy: "" });
const seen = () => new Set(targets);
const hostPort = (port: number) => `127.0.0.1:${port}`;
const noSecret = (r: CliResult) => {
  const out = `${r.stdout}${r.stderr}`;
  expect(out).not.toContain(PASSWORD);
  expect(out).not.toContain(AUTH.slice(6));
};

describe("HTTPS_PROXY", () => {
  it("init and verify reach every sandbox service through the proxy; its credentials never show, --debug included", { timeout: 120_000 }, async () => {
    const init = await runCli(
      ["init", "--sandbox", "--sandbox-dir", sb.dir, "--yes", "--identity", "id-app", "--namespace", "app", "--service-account", "sa-app", "--debug"].concat([
        "--role",
        "Key Vault Secrets User",
        "--scope",
        vaultId(sb.dir),
      ]),
      { cwd, env: proxyEnv("") },
    );
    expect(init.code, `${init.stdout}${init.stderr}`).toBe(0);
    noSecret(init);
    const afterInit = seen();
    // ARM (the SDK clients), Entra (the credential), the Kubernetes API (client-node).
    for (const service of ["arm", "login", "kube"] as const) expect(afterInit, service).toContain(hostPort(sb.info.ports[service]));

    targets.length = 0;
    const verify = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir, "--cluster", sb.info.clusterName, "--debug"], { cwd, env: proxyEnv("") });
    expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(0);
    noSecret(verify);
    // verify adds the exec WebSocket (kube), the raw token exchange (login) and access probes (arm).
    for (const service of ["arm", "login", "kube"] as const) expect(seen(), service).toContain(hostPort(sb.info.ports[service]));
    expect(verify.stdout).toMatch(/^PASS\s+token\s/m);
    expect(verify.stdout).toMatch(/^PASS\s+exchange\s/m);
  });

  /** Runs `fn` in this process with the proxy variables set, and returns the CONNECT targets it caused. */
  async function throughProxy(fn: () => Promise<void>): Promise<Set<string>> {
    targets.length = 0;
    const saved = { ...process.env };
    Object.assign(process.env, proxyEnv(""));
    try {
      await fn();
    } finally {
      for (const k of Object.keys(proxyEnv(""))) if (saved[k] === undefined) delete process.env[k];
      Object.assign(process.env, saved);
    }
    return seen();
  }

  it("verify's own issuer fetch and the exec WebSocket go through it too (called directly)", { timeout: 30_000 }, async () => {
    // verify fetches the issuer only when Entra could not (AADSTS90061).
    const issuer: string = sb.sandbox.world.cluster().body.properties.oidcIssuerProfile.issuerURL;
    const viaIssuer = await throughProxy(async () => {
      expect(await probeIssuer(issuer, sandboxCloud(sb.dir).caPem)).toMatchObject({ ok: true });
    });
    expect(viaIssuer).toEqual(new Set([hostPort(sb.info.ports.oidc)]));
    // An exec alone (no REST call) in init's test pod.
    const viaExec = await throughProxy(async () => {
      const exec = podExec(connect(readFileSync(sb.info.kubeconfig, "utf8")));
      expect(await exec("app", "aks-wi-test", "main", ["true"])).toMatchObject({ exitCode: 0 });
    });
    expect(viaExec).toEqual(new Set([hostPort(sb.info.ports.kube)]));
  });

  it("NO_PROXY naming the host: nothing goes through the proxy", { timeout: 60_000 }, async () => {
    targets.length = 0;
    const r = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir, "--cluster", sb.info.clusterName], { cwd, env: proxyEnv("localhost,127.0.0.1") });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(0);
    expect(targets).toEqual([]);
  });

  it("a proxy URL that is not one is an input mistake, named without its credentials", { timeout: 30_000 }, async () => {
    const bad = `socks5://${USER}:${PASSWORD}@127.0.0.1:1080`;
    const r = await runCli(["verify", "--sandbox", "--sandbox-dir", sb.dir, "--cluster", sb.info.clusterName], {
      cwd,
      env: { ...proxyEnv(""), HTTPS_PROXY: bad, https_proxy: bad },
    });
    expect(r.code, `${r.stdout}${r.stderr}`).toBe(2);
    expect(r.stderr).toMatch(/HTTPS_PROXY names a socks5 proxy \(socks5:\/\/127\.0\.0\.1:1080\): only http:\/\/ and https:\/\/ proxies are supported/);
    noSecret(r);
  });
});
