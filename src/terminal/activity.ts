// Progress of work that runs side by side: on a terminal one spinner line names everything still
// running with its elapsed time, and each finished item is printed above it as a line of its own;
// in logs (no terminal) each start and end is one line, so a CI log reads as a sequence of events.
import chalk from "chalk";
import ora, { type Ora } from "ora";

export interface Activity {
  start(id: string, text: string): void;
  /** Replaces the running item's text (e.g. the cluster update's status). */
  update(id: string, text: string): void;
  done(id: string, line: string): void;
  fail(id: string, line: string): void;
  /** A line of its own (a warning) that does not end anything. */
  note(line: string): void;
  /** A line of its own, as given (a retry's progress line). */
  info(line: string): void;
  /** Stops the spinner; items still running are left as they are. */
  close(): void;
}

export interface ActivityOptions {
  stream: NodeJS.WritableStream;
  tty: boolean;
  now?: () => number;
  /** In logs, how often a line says what is still running (default 30 s): a CI log is never silent for minutes. */
  heartbeatMs?: number;
}

/** How often a log (no terminal) hears that long work is still running. */
export const HEARTBEAT_MS = 30_000;

const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

export function createActivity(opts: ActivityOptions): Activity {
  const now = opts.now ?? Date.now;
  const running = new Map<string, { text: string; since: number }>();
  const write = (line: string) => void opts.stream.write(`${line}\n`);

  if (!opts.tty) {
    let beat: NodeJS.Timeout | undefined;
    const heartbeat = () => {
      if (running.size === 0) {
        if (beat) clearInterval(beat);
        beat = undefined;
        return;
      }
      if (beat) return;
      beat = setInterval(() => {
        const list = [...running.values()].map((r) => `${r.text} (${seconds(now() - r.since)})`);
        if (list.length) write(`… still running: ${list.join("; ")}`);
      }, opts.heartbeatMs ?? HEARTBEAT_MS);
      beat.unref();
    };
    const stop = (id: string) => {
      const r = running.get(id);
      running.delete(id);
      heartbeat();
      return r;
    };
    return {
      start: (id, text) => {
        running.set(id, { text, since: now() });
        write(`→ ${text}`);
        heartbeat();
      },
      update: (id, text) => {
        const r = running.get(id);
        if (!r || r.text === text) return;
        r.text = text;
        write(`… ${text}`);
      },
      done: (id, line) => {
        const r = stop(id);
        write(`+ ${line}${r ? ` (${seconds(now() - r.since)})` : ""}`);
      },
      fail: (id, line) => {
        const r = stop(id);
        write(`x ${line}${r ? ` (after ${seconds(now() - r.since)})` : ""}`);
      },
      note: (line) => write(`warning: ${line}`),
      info: (line) => write(line),
      close: () => {
        running.clear();
        heartbeat();
      },
    };
  }

  let spinner: Ora | undefined;
  let timer: NodeJS.Timeout | undefined;
  const text = () => [...running.values()].map((r) => `${r.text} ${chalk.dim(`(${seconds(now() - r.since)})`)}`).join(chalk.dim("  ·  "));
  const render = () => {
    if (running.size === 0) {
      spinner?.stop();
      spinner = undefined;
      if (timer) clearInterval(timer);
      timer = undefined;
      return;
    }
    // discardStdin off: ora would otherwise swallow Ctrl-C (raw mode) and the run could not be interrupted.
    if (!spinner) spinner = ora({ text: text(), stream: opts.stream, discardStdin: false }).start();
    else spinner.text = text();
    if (!timer) {
      timer = setInterval(render, 1000);
      timer.unref();
    }
  };
  /** Prints a finished line above the spinner without tearing it. */
  const persist = (symbol: string, line: string) => {
    if (spinner) spinner.clear();
    write(`${symbol} ${line}`);
    if (spinner) spinner.render();
  };
  return {
    start(id, t) {
      running.set(id, { text: t, since: now() });
      render();
    },
    update(id, t) {
      const r = running.get(id);
      if (r) r.text = t;
      render();
    },
    done(id, line) {
      const r = running.get(id);
      running.delete(id);
      persist(chalk.green("✔"), `${line}${r ? ` ${chalk.dim(`(${seconds(now() - r.since)})`)}` : ""}`);
      render();
    },
    fail(id, line) {
      const r = running.get(id);
      running.delete(id);
      persist(chalk.red("✖"), `${line}${r ? ` ${chalk.dim(`(after ${seconds(now() - r.since)})`)}` : ""}`);
      render();
    },
    note(line) {
      persist(chalk.yellow("!"), line);
    },
    info(line) {
      if (spinner) spinner.clear();
      write(line);
      if (spinner) spinner.render();
    },
    close() {
      running.clear();
      render();
    },
  };
}
