// `aks-wi version` and `aks-wi completion`: about the tool itself, nothing to reach.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Option, type Command } from "commander";
import { withExamples } from "./help-text.js";
import { completionScript, SHELLS, type Shell } from "./completion.js";
import { JSON_VERSION } from "./json-output.js";
import { isDataOutput, outputOption, writeData } from "./output.js";
import { scalarRow } from "./tables.js";

/** The version in aks-wi's own package.json, found upwards from this module (dist/src/cli or src/cli). */
export function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "aks-wi" && pkg.version) return pkg.version;
    } catch {
      // no package.json here: look further up
    }
    const up = dirname(dir);
    if (up === dir) return "0.0.0";
    dir = up;
  }
}

export function registerMeta(program: Command): void {
  withExamples(
    program
      .command("version")
      .description("Print the version of aks-wi and of the Node.js running it")
      .addOption(outputOption())
      .action((opts: { output: string }) => {
        const v = { aksWi: packageVersion(), node: process.version, platform: `${process.platform}-${process.arch}` };
        if (isDataOutput(opts.output)) return writeData(process.stdout, opts.output, { version: JSON_VERSION, result: v }, (d) => scalarRow(d.result));
        else process.stdout.write(`aks-wi ${v.aksWi} (node ${v.node}, ${v.platform})\n`);
      }),
    [
      ["the version", "aks-wi version"],
      ["only the number", "aks-wi --version"],
    ],
  );

  withExamples(
    program
      .command("completion")
      .description("Print a shell completion script for bash, zsh or fish")
      .addArgument(program.createArgument("<shell>", "bash, zsh or fish").choices(SHELLS))
      .action((shell: Shell) => void process.stdout.write(completionScript(program, shell))),
    [
      ["bash, this shell only", "source <(aks-wi completion bash)"],
      ["bash, every new shell", "aks-wi completion bash > ~/.local/share/bash-completion/completions/aks-wi"],
      ["zsh", "source <(aks-wi completion zsh)"],
      ["fish", "aks-wi completion fish > ~/.config/fish/completions/aks-wi.fish"],
    ],
  );
}
