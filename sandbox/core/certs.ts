// The sandbox's TLS: a CA made on first start (kept in DIR, key 0600) and one server certificate
// for 127.0.0.1/localhost signed by it. Clients trust the CA through DIR/ca.pem.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generate } from "selfsigned";

export interface SandboxTls {
  caFile: string;
  caPem: string;
  key: string;
  cert: string;
}

/** selfsigned's certificates end without a line break; a PEM file ends with one (tools that
 *  concatenate CA bundles, `cat ca.pem >> bundle`, rely on it). */
const pemFile = (pem: string) => (pem.endsWith("\n") ? pem : pem + "\n");

const files = (dir: string) => ({
  caFile: join(dir, "ca.pem"),
  caKey: join(dir, "ca-key.pem"),
  cert: join(dir, "server.pem"),
  key: join(dir, "server-key.pem"),
});

export async function ensureTls(dir: string): Promise<SandboxTls> {
  const f = files(dir);
  if (![f.caFile, f.caKey, f.cert, f.key].every((p) => existsSync(p))) {
    const tenYears = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
    // ECDSA P-256: a key in a millisecond where RSA-2048 takes a random 0.1–0.5 s, which keeps a
    // first start well inside its 2 s; every TLS client here (Node, kubectl's Go) accepts it.
    const ca = await generate(
      [
        { name: "commonName", value: "aks-wi sandbox CA" },
        { name: "organizationName", value: "aks-wi sandbox" },
      ],
      {
        algorithm: "sha256",
        keyType: "ec",
        curve: "P-256",
        notAfterDate: tenYears,
        extensions: [
          { name: "basicConstraints", cA: true, critical: true },
          { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ],
      },
    );
    const server = await generate([{ name: "commonName", value: "127.0.0.1" }], {
      algorithm: "sha256",
      keyType: "ec",
      curve: "P-256",
      notAfterDate: tenYears,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: "basicConstraints", cA: false },
        { name: "keyUsage", digitalSignature: true, critical: true },
        { name: "extKeyUsage", serverAuth: true },
        {
          name: "subjectAltName",
          altNames: [
            { type: 7, ip: "127.0.0.1" },
            { type: 2, value: "localhost" },
          ],
        },
      ],
    });
    writeFileSync(f.caKey, pemFile(ca.private), { mode: 0o600 });
    writeFileSync(f.key, pemFile(server.private), { mode: 0o600 });
    writeFileSync(f.cert, pemFile(server.cert), { mode: 0o644 });
    // The CA last: its presence marks a complete set.
    writeFileSync(f.caFile, pemFile(ca.cert), { mode: 0o644 });
  }
  return { caFile: f.caFile, caPem: readFileSync(f.caFile, "utf8"), key: readFileSync(f.key, "utf8"), cert: readFileSync(f.cert, "utf8") };
}
