// NO_COLOR (https://no-color.org) and --no-color, for every writer of colour at once: chalk (our
// lines, ora's spinner) by its level, and the prompt library and Node's own checks through the
// NO_COLOR variable, which they read when they write.
import chalk from "chalk";

export function colorWanted(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR) return false;
  const end = argv.indexOf("--");
  return !(end < 0 ? argv : argv.slice(0, end)).includes("--no-color");
}

export function disableColor(env: NodeJS.ProcessEnv = process.env): void {
  chalk.level = 0;
  env.NO_COLOR = "1";
  delete env.FORCE_COLOR;
}
