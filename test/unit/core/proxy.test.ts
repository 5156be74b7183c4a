// The one proxy rule (src/core/proxy.ts), as curl reads HTTPS_PROXY / ALL_PROXY / NO_PROXY.
import { describe, expect, it } from "vitest";
import { UserError } from "../../../src/core/errors.js";
import { bypassesProxy, httpsAgentFor, proxyConfigured, proxyFor, redactProxy } from "../../../src/core/proxy.js";

const P = "http://proxy.corp:3128";

describe("proxyFor", () => {
  it("takes https_proxy before HTTPS_PROXY, then ALL_PROXY; never HTTP_PROXY for an https URL", () => {
    expect(proxyFor("https://a.example", { HTTPS_PROXY: P })?.href).toBe(`${P}/`);
    expect(proxyFor("https://a.example", { https_proxy: "http://lower:1", HTTPS_PROXY: P })?.host).toBe("lower:1");
    expect(proxyFor("https://a.example", { ALL_PROXY: P })?.href).toBe(`${P}/`);
    expect(proxyFor("https://a.example", { HTTP_PROXY: P })).toBeUndefined();
    expect(proxyFor("https://a.example", {})).toBeUndefined();
    expect(proxyFor("wss://a.example", { HTTPS_PROXY: P })?.host).toBe("proxy.corp:3128");
  });

  it("reads a value without a scheme as http://", () => {
    expect(proxyFor("https://a.example", { HTTPS_PROXY: "proxy.corp:8080" })?.href).toBe("http://proxy.corp:8080/");
  });

  it("refuses what is not an http(s) proxy URL, without echoing its credentials", () => {
    expect(() => proxyFor("https://a.example", { HTTPS_PROXY: "socks5://u:secret@p:1080" })).toThrow(UserError);
    expect(() => proxyFor("https://a.example", { HTTPS_PROXY: "socks5://u:secret@p:1080" })).toThrow(/socks5 proxy \(socks5:\/\/p:1080\)/);
    expect(() => proxyConfigured({ HTTPS_PROXY: "http://[nope" })).toThrow(/HTTPS_PROXY is not a proxy URL/);
    expect(redactProxy("http://user:pa55@proxy:3128")).toBe("http://proxy:3128");
  });
});

describe("NO_PROXY", () => {
  const cases: [string, string, boolean][] = [
    ["*", "https://anything.example", true],
    ["example.com", "https://example.com", true],
    ["example.com", "https://api.example.com", true],
    [".example.com", "https://api.example.com", true],
    ["*.example.com", "https://api.example.com", true],
    [".example.com", "https://example.com", true],
    ["example.com", "https://myexample.com", false],
    ["example.com", "https://example.com.org", false],
    ["a.io, example.com ", "https://x.example.com", true],
    ["EXAMPLE.com", "https://Api.Example.COM", true],
    ["example.com:8443", "https://example.com:8443", true],
    ["example.com:8443", "https://example.com", false],
    ["127.0.0.1", "https://127.0.0.1:6443", true],
    ["127.0.0.2", "https://127.0.0.1:6443", false],
    ["10.0.0.0/8", "https://10.1.2.3", true],
    ["10.0.0.0/8", "https://11.1.2.3", false],
    ["10.0.0.0/8", "https://ten.example", false],
    ["::1", "https://[::1]:443", true],
    ["fd00::/8", "https://[fd12::1]", true],
    ["localhost", "https://localhost:6443", true],
    ["", "https://127.0.0.1", false],
  ];
  it.each(cases)("NO_PROXY=%j for %s: bypassed %s", (noProxy, url, bypassed) => {
    expect(bypassesProxy(new URL(url), { NO_PROXY: noProxy })).toBe(bypassed);
    expect(!!proxyFor(url, { HTTPS_PROXY: P, no_proxy: noProxy })).toBe(!bypassed);
  });

  it("loopback is proxied unless named, as curl, az and the Azure SDK do (kubectl exempts it)", () => {
    expect(proxyFor("https://127.0.0.1:6443", { HTTPS_PROXY: P })).toBeDefined();
  });
});

describe("httpsAgentFor", () => {
  it("is undefined with no proxy configured; a tunnel or a direct agent otherwise, one per proxy and CA", () => {
    expect(httpsAgentFor("https://a.example", undefined, {})).toBeUndefined();
    const env = { HTTPS_PROXY: P, NO_PROXY: "direct.example" };
    const tunnel = httpsAgentFor("https://a.example", "CA", env);
    expect(tunnel?.constructor.name).toBe("TunnelAgent");
    expect(httpsAgentFor("https://b.example", "CA", env)).toBe(tunnel);
    expect(httpsAgentFor("https://b.example", "other CA", env)).not.toBe(tunnel);
    const direct = httpsAgentFor("https://direct.example", "CA", env);
    expect(direct?.constructor.name).toBe("Agent");
    expect(direct?.options.ca).toBe("CA");
  });
});
