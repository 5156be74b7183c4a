// The sandbox's TLS files as written on a first start: PEM files that end with a line break,
// one certificate each, and the private keys readable only by their owner.
import { afterAll, describe, expect, it } from "vitest";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureTls } from "../../../sandbox/core/certs.js";

const dir = mkdtempSync(join(tmpdir(), "aks-wi-certs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("ensureTls", () => {
  it("writes PEM files that end with a newline, the CA signing the server certificate", async () => {
    const tls = await ensureTls(dir);
    for (const f of ["ca.pem", "server.pem", "ca-key.pem", "server-key.pem"]) {
      const text = readFileSync(join(dir, f), "utf8");
      expect(text.endsWith("-----\n"), f).toBe(true);
      expect(text.match(/-----BEGIN /g), f).toHaveLength(1);
    }
    expect(tls.caPem).toBe(readFileSync(join(dir, "ca.pem"), "utf8"));
    const ca = new X509Certificate(tls.caPem);
    expect(new X509Certificate(tls.cert).verify(ca.publicKey)).toBe(true);
    expect(statSync(join(dir, "ca-key.pem")).mode & 0o777).toBe(0o600);
  });

  it("keeps the files of a first start on the next one", async () => {
    const before = readFileSync(join(dir, "ca.pem"), "utf8");
    expect((await ensureTls(dir)).caPem).toBe(before);
  });
});
