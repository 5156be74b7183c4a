import { describe, expect, it } from "vitest";
import { GraphError, checkGraph, runGraph, type GraphNode } from "../../../src/init/graph.js";

interface N extends GraphNode {
  ms: number;
  fail?: boolean;
  /** Calls accepted() after this many ms, then finishes after `ms`. */
  acceptAfter?: number;
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function trace(nodes: N[]) {
  const events: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const error = await runGraph(nodes, {
    async run(n, accepted) {
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        if (n.acceptAfter !== undefined) {
          await tick(n.acceptAfter);
          events.push(`accepted ${n.id}`);
          accepted();
        }
        await tick(n.ms);
        if (n.fail) throw new Error(`${n.id} broke`);
      } finally {
        running--;
      }
    },
    onStart: (n) => events.push(`start ${n.id}`),
    onDone: (n) => events.push(`done ${n.id}`),
    onFail: (n) => events.push(`fail ${n.id}`),
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { events, maxRunning, error };
}

describe("runGraph", () => {
  it("runs independent operations side by side and dependents only after their dependencies", async () => {
    const { events, maxRunning, error } = await trace([
      { id: "cluster", after: [], ms: 60 },
      { id: "identity", after: [], ms: 10 },
      { id: "sa", after: ["identity"], ms: 10 },
      { id: "fic", after: ["identity", "cluster"], ms: 10 },
      { id: "pod", after: ["sa", "fic"], ms: 5 },
    ]);
    expect(error).toBeUndefined();
    expect(maxRunning).toBeGreaterThanOrEqual(2);
    const at = (e: string) => events.indexOf(e);
    expect(at("start identity")).toBeLessThan(at("done cluster"));
    expect(at("done sa")).toBeLessThan(at("done cluster"));
    expect(at("start fic")).toBeGreaterThan(at("done cluster"));
    expect(at("start pod")).toBeGreaterThan(at("done fic"));
    expect(events.filter((e) => e.startsWith("done"))).toHaveLength(5);
  });

  it("starts an afterAccepted dependent once the service took the first write, before it finishes", async () => {
    const { events } = await trace([
      { id: "cluster", after: [], ms: 50, acceptAfter: 5 },
      { id: "identity", after: [], afterAccepted: ["cluster"], ms: 5 },
    ]);
    const at = (e: string) => events.indexOf(e);
    expect(at("start identity")).toBeGreaterThan(at("accepted cluster"));
    expect(at("done identity")).toBeLessThan(at("done cluster"));
  });

  it("starts nothing new after a failure, lets running work finish, and reports the first failure", async () => {
    const { events, error } = await trace([
      { id: "a", after: [], ms: 5, fail: true },
      { id: "b", after: [], ms: 30 },
      { id: "c", after: ["a"], ms: 1 },
      { id: "d", after: ["b"], ms: 1 },
    ]);
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).failedId).toBe("a");
    expect(events).toContain("done b");
    expect(events).not.toContain("start c");
    expect(events).not.toContain("start d");
  });

  it("never starts a dependent of an operation that failed before being accepted", async () => {
    const { events, error } = await trace([
      { id: "cluster", after: [], ms: 5, fail: true },
      { id: "identity", after: [], afterAccepted: ["cluster"], ms: 1 },
    ]);
    expect(error).toBeInstanceOf(GraphError);
    expect(events).not.toContain("start identity");
  });

  it("finishes at once for an empty plan", async () => {
    const { events, error } = await trace([]);
    expect(error).toBeUndefined();
    expect(events).toEqual([]);
  });

  it("refuses unknown dependencies, duplicates and cycles before running anything", () => {
    expect(() => checkGraph([{ id: "a", after: ["x"] }])).toThrow(/unknown operation x/);
    expect(() =>
      checkGraph([
        { id: "a", after: [] },
        { id: "a", after: [] },
      ]),
    ).toThrow(/duplicate/);
    expect(() =>
      checkGraph([
        { id: "a", after: ["b"] },
        { id: "b", after: [], afterAccepted: ["a"] },
      ]),
    ).toThrow(/cycle: a → b → a/);
  });
});
