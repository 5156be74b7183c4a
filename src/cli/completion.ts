// `aks-wi completion bash|zsh|fish`: a completion script generated from commander's own tree of
// commands and options, so it never drifts from what the CLI accepts. Static (no call back into
// aks-wi per Tab), so it costs nothing at the prompt. Hidden options (old spellings) are left out.
import type { Command, Option } from "commander";

interface Node {
  path: string[];
  subcommands: string[];
  options: { flags: string[]; takesValue: boolean; choices?: readonly string[]; description: string }[];
}

const visible = (c: Command) => !(c as unknown as { _hidden?: boolean })._hidden;

function walk(cmd: Command, path: string[], out: Node[]): void {
  const subs = cmd.commands.filter(visible);
  const options = [...cmd.options, ...globalOptions(cmd)]
    .filter((o: Option) => !o.hidden)
    .map((o: Option) => ({
      flags: [o.short, o.long].filter((f): f is string => !!f),
      takesValue: o.required || o.optional,
      choices: o.argChoices,
      description: o.description,
    }));
  out.push({
    path,
    subcommands: subs.map((s) => s.name()),
    options: [...options, { flags: ["-h", "--help"], takesValue: false, description: "display help" }],
  });
  for (const s of subs) walk(s, [...path, s.name()], out);
}

/** Options of the program itself (--debug, --no-color), accepted by every command. */
function globalOptions(cmd: Command): readonly Option[] {
  let root = cmd;
  while (root.parent) root = root.parent;
  return root === cmd ? [] : root.options;
}

function tree(program: Command): Node[] {
  const out: Node[] = [];
  walk(program, [], out);
  return out;
}

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bash(program: Command, name: string): string {
  const fn = `_${name.replace(/[^A-Za-z0-9]/g, "_")}_complete`;
  const cases = tree(program).map((n) => {
    const words = [...n.subcommands, ...n.options.flatMap((o) => o.flags)].join(" ");
    const valueFlags = n.options.filter((o) => o.takesValue);
    const prevCases = valueFlags.map(
      (o) =>
        `        ${o.flags.join("|")}) ${o.choices ? `COMPREPLY=($(compgen -W ${q(o.choices.join(" "))} -- "$cur"))` : `COMPREPLY=($(compgen -f -- "$cur"))`}; return;;`,
    );
    return `    ${q(n.path.join(" "))})\n      case "$prev" in\n${prevCases.join("\n")}${prevCases.length ? "\n" : ""}      esac\n      COMPREPLY=($(compgen -W ${q(words)} -- "$cur"));;`;
  });
  return `# bash completion for ${name}; load with: source <(${name} completion bash)
${fn}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmdpath="" w i
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in -*) ;; *) case " $(${fn}_subs "$cmdpath") " in *" $w "*) cmdpath="\${cmdpath:+$cmdpath }$w";; esac;; esac
  done
  case "$cmdpath" in
${cases.join("\n")}
  esac
}
${fn}_subs() {
  case "$1" in
${tree(program)
  .map((n) => `    ${q(n.path.join(" "))}) echo ${q(n.subcommands.join(" "))};;`)
  .join("\n")}
  esac
}
complete -o default -F ${fn} ${name}
`;
}

function zsh(program: Command, name: string): string {
  // zsh runs bash completions through bashcompinit: one generator, the same answers in both shells.
  return `#compdef ${name}
# zsh completion for ${name}; load with: source <(${name} completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(program, name).split("\n").slice(1).join("\n")}`;
}

function fish(program: Command, name: string): string {
  const lines = [`# fish completion for ${name}; load with: ${name} completion fish | source`, `complete -c ${name} -f`];
  for (const n of tree(program)) {
    // A level is named by its last word; no two commands here share a subcommand name.
    const at = n.path.length === 0 ? "__fish_use_subcommand" : `__fish_seen_subcommand_from ${n.path[n.path.length - 1]}`;
    for (const s of n.subcommands) lines.push(`complete -c ${name} -n ${q(at)} -a ${q(s)}`);
    for (const o of n.options) {
      const short = o.flags.find((f) => /^-[^-]/.test(f));
      const long = o.flags.find((f) => f.startsWith("--"));
      const parts = [`complete -c ${name} -n ${q(at)}`];
      if (short) parts.push(`-s ${short.slice(1)}`);
      if (long) parts.push(`-l ${long.slice(2)}`);
      if (o.takesValue) parts.push(o.choices ? `-x -a ${q(o.choices.join(" "))}` : "-r -F");
      parts.push(`-d ${q(o.description.split("\n")[0]!.slice(0, 80))}`);
      lines.push(parts.join(" "));
    }
  }
  return `${lines.join("\n")}\n`;
}

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

export function completionScript(program: Command, shell: Shell): string {
  const name = program.name();
  return shell === "bash" ? bash(program, name) : shell === "zsh" ? zsh(program, name) : fish(program, name);
}
