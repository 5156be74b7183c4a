// A real pseudo-terminal for the wizard's tests: a private tmux server per test file, keys sent
// with send-keys, the screen read with capture-pane. tmux returns at once (it only talks to its
// server), so its synchronous calls cannot stall the in-process sandbox.
import { spawnSync } from "node:child_process";
import { waitFor } from "./init-cli.harness.js";

export const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export interface Tmux {
  /** Starts `cmd` (a shell line) in a new 200x50 session. */
  start(session: string, cmd: string): void;
  /** The screen and its scrollback, wrapped lines joined. */
  screen(): string;
  keys(...k: string[]): void;
  /** Types text literally ("--": it may start with "-"). */
  type(text: string): void;
  /** Waits until the screen matches; a timeout shows the screen. */
  prompt(re: RegExp, timeoutMs?: number): Promise<string>;
  /** The highlighted entry of the open pick-list (the last line with the "❯" cursor). */
  active(): string;
  /** Moves the pick-list cursor down (it wraps) until the highlighted entry starts with `label`. */
  moveTo(label: string, maxSteps?: number): Promise<void>;
  kill(session: string): void;
  killServer(): void;
}

export function tmuxServer(socket: string): Tmux {
  let session = "";
  const tmux = (...args: string[]) => spawnSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  const screen = () => tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", session).stdout;
  const keys = (...k: string[]) => void tmux("send-keys", "-t", session, ...k);
  const withScreen = (e: Error) => {
    throw new Error(`${e.message}\n--- screen ---\n${screen()}`);
  };
  const active = () =>
    screen()
      .split("\n")
      .filter((l) => l.includes("❯"))
      .pop()
      ?.replace(/^.*❯\s*/, "")
      .trim() ?? "";
  return {
    start(name, cmd) {
      session = name;
      const r = tmux("new-session", "-d", "-s", name, "-x", "200", "-y", "50", cmd);
      if (r.status !== 0) throw new Error(`tmux new-session failed: ${r.stderr}`);
    },
    screen,
    keys,
    type: (text) => void tmux("send-keys", "-t", session, "-l", "--", text),
    prompt: (re, timeoutMs = 15_000) => waitFor(`the prompt ${re}`, () => (re.test(screen()) ? screen() : undefined), timeoutMs, 50).catch(withScreen),
    active,
    async moveTo(label, maxSteps = 20) {
      for (let i = 0; i <= maxSteps; i++) {
        const before = active();
        if (before.startsWith(label)) return;
        keys("Down");
        await waitFor(`the cursor to leave "${before}"`, () => active() !== before, 5_000, 20).catch(withScreen);
      }
      throw new Error(`"${label}" not reached in the pick-list\n--- screen ---\n${screen()}`);
    },
    kill: (name) => void tmux("kill-session", "-t", name),
    killServer: () => void tmux("kill-server"),
  };
}
