// The pod-template-hash: apimachinery's safe encoding of the decimal FNV-1a sum (so "7c5ddbdf54"
// shapes), the same for equal templates whatever their key order, different for any change and
// for another collision count.
import { describe, expect, it } from "vitest";
import { podTemplateHash, safeEncode } from "../../../sandbox/kube/controllers/template-hash.js";

const template = { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "main", image: "nginx:1.27" }] } };

describe("pod-template-hash", () => {
  it("maps each decimal digit as rand.SafeEncodeString does", () => {
    expect(safeEncode("0123456789")).toBe("456789bcdf");
  });

  it("is the safe encoding of a 32-bit sum: at most ten characters of that alphabet", () => {
    expect(podTemplateHash(template)).toMatch(/^[456789bcdf]{1,10}$/);
  });

  it("depends on the template's content, not its key order", () => {
    const reordered = { spec: { containers: [{ image: "nginx:1.27", name: "main" }] }, metadata: { labels: { app: "web" } } };
    expect(podTemplateHash(reordered)).toBe(podTemplateHash(template));
    const restarted = { ...template, metadata: { ...template.metadata, annotations: { "kubectl.kubernetes.io/restartedAt": "2026-01-01T00:00:00Z" } } };
    expect(podTemplateHash(restarted)).not.toBe(podTemplateHash(template));
  });

  it("changes with the collision count", () => {
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template));
    expect(podTemplateHash(template, 1)).not.toBe(podTemplateHash(template, 2));
  });
});
