import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createActivity } from "../../../src/terminal/activity.js";

function capture() {
  const stream = new PassThrough();
  let out = "";
  stream.on("data", (c) => (out += c.toString()));
  return { stream, text: () => out };
}

describe("activity without a terminal", () => {
  it("writes one line per start, change and end, with the elapsed time, and no escape codes", () => {
    let t = 0;
    const c = capture();
    const a = createActivity({ stream: c.stream, tty: false, now: () => t });
    a.start("cluster", "Cluster: enable workload identity");
    a.start("identity", "Identity: create id-app");
    a.update("cluster", "Cluster: enable workload identity (InProgress)");
    a.update("cluster", "Cluster: enable workload identity (InProgress)");
    t = 2_000;
    a.done("identity", "Identity: created");
    t = 30_000;
    a.fail("cluster", "Cluster: failed");
    expect(c.text().split("\n").filter(Boolean)).toEqual([
      "→ Cluster: enable workload identity",
      "→ Identity: create id-app",
      "… Cluster: enable workload identity (InProgress)",
      "+ Identity: created (2s)",
      "x Cluster: failed (after 30s)",
    ]);
    expect(c.text()).not.toMatch(/\u001b\[/);
  });
});

describe("activity on a terminal", () => {
  it("prints each finished item as a line of its own while others still run", () => {
    const c = capture();
    const a = createActivity({ stream: c.stream, tty: true, now: () => 0 });
    a.start("cluster", "Cluster update");
    a.start("identity", "Identity");
    a.done("identity", "Identity: created");
    a.done("cluster", "Cluster: updated");
    a.close();
    const plain = c.text().replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
    expect(plain).toMatch(/Identity: created \(0s\)\n/);
    expect(plain).toMatch(/Cluster: updated \(0s\)\n/);
    expect(plain.indexOf("Identity: created")).toBeLessThan(plain.indexOf("Cluster: updated"));
  });
});

describe("heartbeat in logs", () => {
  it("says what is still running at each beat while anything runs, and nothing once all is done", async () => {
    const c = capture();
    const a = createActivity({ stream: c.stream, tty: false, heartbeatMs: 20 });
    a.start("cluster", "Cluster: updating");
    await new Promise((r) => setTimeout(r, 70));
    const beats = () =>
      c
        .text()
        .split("\n")
        .filter((l) => l.startsWith("… still running:"));
    expect(beats().length).toBeGreaterThanOrEqual(2);
    expect(beats()[0]).toMatch(/^… still running: Cluster: updating \(\d+s\)$/);
    a.done("cluster", "Cluster: done");
    const n = beats().length;
    await new Promise((r) => setTimeout(r, 60));
    expect(beats().length).toBe(n);
  });
});
