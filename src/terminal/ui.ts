// The Ui the steps and the runner talk through: chalk lines and an ora spinner with the elapsed
// seconds on a terminal; plain lines (one per state change, no escape codes) when not a TTY, so
// CI logs and tests read cleanly.
import chalk from "chalk";
import ora from "ora";
import { HEARTBEAT_MS, createActivity, type Activity } from "./activity.js";
import type { Prompter } from "./prompts.js";

/** The prompt/spinner/log facade: steps talk to the user only through this. */
export interface Ui {
  interactive: boolean;
  info(line: string): void;
  warn(line: string): void;
  /** Yes/no question; in non-interactive mode returns `nonInteractiveAnswer` (default false). */
  confirm(message: string, opts?: { default?: boolean; nonInteractiveAnswer?: boolean }): Promise<boolean>;
  /** Runs `work` under a spinner that shows the elapsed time; `update` changes the text. */
  spin<T>(text: string, work: (update: (text: string) => void) => Promise<T>): Promise<T>;
}

export interface CliUi extends Ui {
  /** A line of the human output (plan, progress, summary). */
  line(text: string): void;
  /** A progress note (a retry) that may come while a spinner runs: printed above the spinner. */
  note(text: string): void;
  /** The stream human output goes to (stderr under --output json, so stdout stays pure JSON). */
  readonly stream: NodeJS.WritableStream;
  readonly tty: boolean;
  /** A display of work that runs side by side (one spinner on a terminal, a line per event in logs). */
  activity(): Activity;
}

export interface UiOptions {
  interactive: boolean;
  prompter?: Prompter;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Clock, replaceable in tests. */
  now?: () => number;
  /** In logs, how often a long wait says it goes on (default 30 s). */
  heartbeatMs?: number;
}

const secondsSince = (start: number, now: () => number) => Math.round((now() - start) / 1000);

export function createUi(opts: UiOptions): CliUi {
  const stream = opts.stream ?? process.stdout;
  // A pty nobody sized reports 0 columns; a spinner there computes an infinite line count and
  // redraws without end, so such a terminal gets the plain line output.
  const columns = (stream as { columns?: number }).columns;
  const tty = !!stream.isTTY && (columns === undefined || columns > 0);
  const now = opts.now ?? Date.now;
  const write = (text: string) => void stream.write(`${text}\n`);
  let spinning: ReturnType<typeof ora> | undefined;
  let current: Activity | undefined;

  return {
    interactive: opts.interactive,
    stream,
    tty,
    line: write,
    activity: () => {
      const a = createActivity({ stream, tty, now, heartbeatMs: opts.heartbeatMs });
      // While work runs side by side, notes (retries) go above its spinner, not through it.
      current = a;
      return { ...a, close: () => (a.close(), (current = current === a ? undefined : current)) };
    },
    note(text) {
      if (current) return current.info(tty ? chalk.dim(`↻ ${text}`) : `  ${text}`);
      if (!tty) return write(`  ${text}`);
      spinning?.clear();
      write(chalk.dim(`↻ ${text}`));
      spinning?.render();
    },
    info: (line) => write(line),
    warn: (line) => write(tty ? chalk.yellow(`! ${line}`) : `warning: ${line}`),

    async confirm(message, o) {
      if (!opts.interactive || !opts.prompter) return o?.nonInteractiveAnswer ?? false;
      return opts.prompter.confirm({ message, default: o?.default });
    },

    async spin(text, work) {
      const start = now();
      if (!tty) {
        write(`… ${text}`);
        let last = text;
        // A log hears every 30 s that the wait goes on, not silence for minutes.
        const beat = setInterval(
          () => write(`… still ${last.charAt(0).toLowerCase()}${last.slice(1)} (${secondsSince(start, now)}s)`),
          opts.heartbeatMs ?? HEARTBEAT_MS,
        );
        beat.unref();
        try {
          const result = await work((t) => {
            if (t !== last) write(`… ${t}`);
            last = t;
          });
          write(`  done in ${secondsSince(start, now)}s`);
          return result;
        } catch (e) {
          write(`  failed after ${secondsSince(start, now)}s`);
          throw e;
        } finally {
          clearInterval(beat);
        }
      }
      let current = text;
      // discardStdin off: ora would otherwise swallow Ctrl-C (raw mode) and the run could not be interrupted.
      const spinner = ora({ text, stream, discardStdin: false }).start();
      spinning = spinner;
      const render = () => (spinner.text = `${current} ${chalk.dim(`(${secondsSince(start, now)}s)`)}`);
      const timer = setInterval(render, 1000);
      timer.unref();
      try {
        const result = await work((t) => {
          current = t;
          render();
        });
        spinner.succeed(`${current} ${chalk.dim(`(${secondsSince(start, now)}s)`)}`);
        return result;
      } catch (e) {
        spinner.fail(`${current} ${chalk.dim(`(${secondsSince(start, now)}s)`)}`);
        throw e;
      } finally {
        clearInterval(timer);
        if (spinning === spinner) spinning = undefined;
      }
    },
  };
}
