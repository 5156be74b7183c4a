// Declares the `sandbox` command's options (commander only, no SDKs: keeps --help fast) and
// lazily loads its implementation from ./commands/sandbox.js.
import type { Command } from "commander";

export function registerSandbox(program: Command): void {
  program
    .command("sandbox")
    .description("(not implemented yet)")
    .action(async (opts: Record<string, unknown>) => {
      const m = await import("./commands/sandbox.js");
      process.exitCode = await m.run(opts);
    });
}
