// Declares the `init` command's options (commander only, no SDKs: keeps --help fast) and
// lazily loads its implementation from ./commands/init.js.
import type { Command } from "commander";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("(not implemented yet)")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/init.js");
      process.exitCode = await m.run(opts);
    });
}
