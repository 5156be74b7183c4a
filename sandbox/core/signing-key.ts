// One RSA signing key per purpose per sandbox DIR (Entra's token key, the cluster's service-account
// key): made on first start, kept 0600 and written atomically, so tokens minted before a restart
// still verify. RS256, because that is what Entra and kube-apiserver sign with.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { promisify } from "node:util";

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

interface KeyFile {
  kid: string;
  privatePem: string;
}

/** Loads the key in `file`, or makes one (off the main thread, so two can be made at once) and
 *  names it with `kidOf`. */
export async function loadOrCreateSigningKey(file: string, kidOf: (privatePem: string, publicKey: KeyObject) => string): Promise<SigningKey> {
  let k: KeyFile | undefined;
  if (existsSync(file)) {
    try {
      k = JSON.parse(readFileSync(file, "utf8")) as KeyFile;
    } catch {
      k = undefined;
    }
  }
  if (!k?.kid || !k.privatePem) {
    const { privateKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
    const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    k = { kid: kidOf(privatePem, createPublicKey(privateKey)), privatePem };
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(k), { mode: 0o600 });
    renameSync(tmp, file);
  }
  const privateKey = createPrivateKey(k.privatePem);
  return { kid: k.kid, privateKey, publicKey: createPublicKey(privateKey) };
}
