// The pod-template-hash the deployment controller names ReplicaSets by (controller.ComputeHash in
// kubernetes/pkg/controller/controller_utils.go): FNV-1a 32 over the pod template, then the
// collision count as 8 little-endian bytes, and the decimal of the sum mapped character by
// character onto apimachinery's safe alphabet (rand.SafeEncodeString) — so "7c5ddbdf54"-like
// names of up to ten characters. Kubernetes feeds FNV a spew dump of the Go struct, which cannot
// be reproduced outside Go; this hashes the template's canonical JSON instead, which keeps what
// matters to clients: the same template gives the same name, any change gives a new one.

/** apimachinery's rand.SafeEncodeString alphabet: no vowels, no 0/1/3, so no words and no look-alikes. */
const SAFE = "bcdfghjklmnpqrstvwxz2456789";

/** JSON with object keys sorted, so equal templates hash equally whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object")
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as any)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h;
}

export function safeEncode(s: string): string {
  return Array.from(Buffer.from(s, "utf8"), (b) => SAFE[b % SAFE.length]).join("");
}

export function podTemplateHash(template: unknown, collisionCount?: number): string {
  let h = fnv1a32(Buffer.from(canonical(template), "utf8"));
  if (collisionCount !== undefined) {
    const bytes = Buffer.alloc(8);
    bytes.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv1a32(bytes, h);
  }
  return safeEncode(String(h));
}
