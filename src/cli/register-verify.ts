// Declares the `verify` command's options (commander only, no SDKs: keeps --help fast) and
// lazily loads its implementation from ./commands/verify.js.
import type { Command } from "commander";

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("(not implemented yet)")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/verify.js");
      process.exitCode = await m.run(opts);
    });
}
