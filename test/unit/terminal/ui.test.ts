// The Ui: plain lines without a terminal, a spinner with elapsed seconds on one; confirm answers
// the step's non-interactive default when it cannot ask.
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Prompter } from "../../../src/terminal/prompts.js";
import { createUi } from "../../../src/terminal/ui.js";

class Sink extends Writable {
  text = "";
  constructor(public isTTY: boolean) {
    super();
  }
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
  // What a tty.WriteStream offers the spinner.
  columns = 80;
  cursorTo() {
    return true;
  }
  moveCursor() {
    return true;
  }
  clearLine() {
    return true;
  }
}

describe("ui", () => {
  it("without a terminal: one plain line per status, then the elapsed time", async () => {
    const out = new Sink(false);
    let t = 0;
    const ui = createUi({ interactive: false, stream: out, now: () => t });
    const v = await ui.spin("Enabling", async (update) => {
      update("Enabling: Updating");
      update("Enabling: Updating"); // unchanged: not repeated
      t = 42_000;
      return 7;
    });
    expect(v).toBe(7);
    expect(out.text).toBe("… Enabling\n… Enabling: Updating\n  done in 42s\n");
    expect(out.text).not.toMatch(/\x1b\[/);
  });

  it("without a terminal: a long wait says every beat that it goes on, and stops when it ends", async () => {
    const out = new Sink(false);
    const ui = createUi({ interactive: false, stream: out, heartbeatMs: 20 });
    await ui.spin("Checking your permissions", () => new Promise((r) => setTimeout(r, 70)));
    const beats = out.text.split("\n").filter((l) => l.startsWith("… still"));
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats[0]).toMatch(/^… still checking your permissions \(\d+s\)$/);
    const n = out.text.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(out.text.length).toBe(n);
  });

  it("a failing spin says so and rethrows", async () => {
    const out = new Sink(false);
    const ui = createUi({ interactive: false, stream: out, now: () => 0 });
    await expect(
      ui.spin("Work", async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(out.text).toContain("failed after 0s");
  });

  it("on a terminal: the spinner's final line carries the elapsed seconds", async () => {
    const out = new Sink(true);
    let t = 0;
    const ui = createUi({ interactive: false, stream: out, now: () => t });
    await ui.spin("Enabling", async () => {
      t = 3_000;
    });
    expect(out.text).toMatch(/Enabling.*\(3s\)/);
  });

  it("a retry note is a line of its own: indented under the step without a terminal, above the spinner on one", async () => {
    const plain = new Sink(false);
    const ui = createUi({ interactive: false, stream: plain, now: () => 0 });
    await ui.spin("Waiting", async () => ui.note("Kubernetes API 429, retry 1/6 in 0.2 s (reading pod a/b)"));
    expect(plain.text).toBe("… Waiting\n  Kubernetes API 429, retry 1/6 in 0.2 s (reading pod a/b)\n  done in 0s\n");
    const term = new Sink(true);
    const tui = createUi({ interactive: false, stream: term, now: () => 0 });
    await tui.spin("Waiting", async () => tui.note("Kubernetes API 503, retry 2/6 in 0.5 s"));
    tui.note("after the spinner");
    expect(term.text).toMatch(/↻ Kubernetes API 503, retry 2\/6 in 0\.5 s\n[\s\S]*Waiting[\s\S]*↻ after the spinner\n$/);
  });

  it("confirm: asks when interactive, else returns the step's non-interactive answer", async () => {
    const asked: string[] = [];
    const prompter: Prompter = {
      input: async () => "",
      select: async () => {
        throw new Error("no");
      },
      search: async () => {
        throw new Error("no");
      },
      confirm: async ({ message }) => (asked.push(message), false),
    };
    expect(await createUi({ interactive: true, prompter, stream: new Sink(false) }).confirm("Go?", { default: true, nonInteractiveAnswer: true })).toBe(false);
    expect(asked).toEqual(["Go?"]);
    const ni = createUi({ interactive: false, prompter, stream: new Sink(false) });
    expect(await ni.confirm("Go?", { nonInteractiveAnswer: true })).toBe(true);
    expect(await ni.confirm("Go?")).toBe(false);
    expect(asked).toEqual(["Go?"]);
  });
});

describe("ui on a terminal that reports zero columns (a pty nobody sized)", () => {
  it("falls back to plain lines instead of a spinner, which would redraw without end", async () => {
    const out = new Sink(true);
    out.columns = 0;
    let t = 0;
    const ui = createUi({ interactive: false, stream: out, now: () => t });
    expect(ui.tty).toBe(false);
    await ui.spin("Planning", async (update) => {
      update("Planning: Cluster");
      t = 2_000;
    });
    expect(out.text).toBe("… Planning\n… Planning: Cluster\n  done in 2s\n");
  });
});
