// The built-in shell that `kubectl exec` runs inside a sandbox pod: a small POSIX-ish interpreter
// over the pod's view (its environment and the files the kubelet would mount). It never throws.
// Its programs are one table, COMMANDS, below; keep it small (verify needs `env` and `cat FILE`).

/** What a container looks like from the inside. */
export interface ContainerView {
  /** Environment in the order `env` prints it. */
  env: Array<[string, string]>;
  hostname: string;
  /** Contents of a file, or undefined if it does not exist. May mint tokens (hence async). */
  readFile(path: string): Promise<string | undefined>;
  /** Entries of a directory, or undefined when it is not one. */
  listDir(path: string): string[] | undefined;
  /** The image holds no programs at all (distroless): every exec is "executable file not found". */
  bare?: boolean;
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
  exit?: boolean;
}

type Token = { t: "word"; v: string } | { t: "op"; v: "|" | "&&" | "||" | ";" };

/** Splits a command line into words and operators, expanding $VAR / ${VAR} / $? outside single quotes. */
export function tokenize(line: string, vars: (name: string) => string): Token[] | { error: string } {
  const out: Token[] = [];
  let i = 0;
  let cur: string | undefined;
  const push = () => {
    if (cur !== undefined) out.push({ t: "word", v: cur });
    cur = undefined;
  };
  const expand = (): string => {
    // at line[i] === "$"
    i++;
    if (line[i] === "{") {
      const end = line.indexOf("}", i);
      if (end < 0) return "$";
      const n = line.slice(i + 1, end);
      i = end + 1;
      return vars(n);
    }
    if (line[i] === "?") {
      i++;
      return vars("?");
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i));
    if (!m) return "$";
    i += m[0].length;
    return vars(m[0]);
  };
  while (i < line.length) {
    const c = line[i];
    if (c === " " || c === "\t") {
      push();
      i++;
      continue;
    }
    if (c === "#" && cur === undefined) break;
    if (c === "&" && cur !== undefined && cur.endsWith(">")) {
      cur += c;
      i++;
      continue;
    } // >&2, 2>&1
    if (c === "|" || c === "&" || c === ";") {
      push();
      if (line.startsWith("||", i)) {
        out.push({ t: "op", v: "||" });
        i += 2;
      } else if (line.startsWith("&&", i)) {
        out.push({ t: "op", v: "&&" });
        i += 2;
      } else if (c === "|") {
        out.push({ t: "op", v: "|" });
        i++;
      } else if (c === ";") {
        out.push({ t: "op", v: ";" });
        i++;
      } else {
        i++;
      } // a lone & (background) is treated as a separator-less no-op
      continue;
    }
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return { error: "sh: syntax error: unterminated quoted string" };
      cur = (cur ?? "") + line.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      cur = cur ?? "";
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === "\\" && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
          cur += line[i + 1];
          i += 2;
        } else if (line[i] === "$") cur += expand();
        else {
          cur += line[i];
          i++;
        }
      }
      if (i >= line.length) return { error: "sh: syntax error: unterminated quoted string" };
      i++;
      continue;
    }
    if (c === "\\") {
      cur = (cur ?? "") + (line[i + 1] ?? "");
      i += 2;
      continue;
    }
    if (c === "$") {
      const v = expand();
      cur = (cur ?? "") + v;
      continue;
    }
    cur = (cur ?? "") + c;
    i++;
  }
  push();
  return out;
}

export class Shell {
  /** $? — read and set by the commands of COMMANDS too. */
  lastCode = 0;
  cwd = "/";
  constructor(readonly view: ContainerView) {}

  private vars = (name: string): string => {
    if (name === "?") return String(this.lastCode);
    if (name === "PWD") return this.cwd;
    return this.view.env.find(([k]) => k === name)?.[1] ?? "";
  };

  /** Runs one command line (with ;, &&, || and |). */
  async runLine(line: string): Promise<RunResult> {
    const toks = tokenize(line, this.vars);
    if ("error" in toks) {
      this.lastCode = 2;
      return { stdout: "", stderr: toks.error + "\n", code: 2 };
    }
    let stdout = "",
      stderr = "";
    let i = 0;
    let skipNext = false;
    while (i < toks.length) {
      // gather a pipeline up to ;, && or ||
      const pipeline: string[][] = [[]];
      while (i < toks.length && !(toks[i].t === "op" && toks[i].v !== "|")) {
        const tk = toks[i];
        if (tk.t === "op") pipeline.push([]);
        else pipeline[pipeline.length - 1].push(tk.v);
        i++;
      }
      const sep = i < toks.length ? toks[i].v : undefined;
      i++;
      if (!skipNext && pipeline.some((p) => p.length > 0)) {
        if (pipeline.some((p) => p.length === 0)) {
          stderr += 'sh: syntax error: unexpected "|"\n';
          this.lastCode = 2;
          return { stdout, stderr, code: 2 };
        }
        let input: string | undefined;
        let r: RunResult = { stdout: "", stderr: "", code: 0 };
        for (const words of pipeline) {
          const red = redirections(words);
          if ("error" in red) {
            r = { stdout: "", stderr: red.error, code: 1 };
            input = "";
            stderr += r.stderr;
            continue;
          }
          r = await this.runCommand(red.argv, input);
          r = red.apply(r);
          stderr += r.stderr;
          input = r.stdout;
          if (r.exit) break;
        }
        stdout += r.stdout;
        this.lastCode = r.code;
        if (r.exit) return { stdout, stderr, code: r.code, exit: true };
      }
      // a skipped pipeline leaves $? alone, so `false && x || y` runs y
      skipNext = sep === "&&" ? this.lastCode !== 0 : sep === "||" ? this.lastCode === 0 : false;
    }
    return { stdout, stderr, code: this.lastCode };
  }

  /** Runs a script (several lines), as `sh -c` does. */
  async runScript(script: string): Promise<RunResult> {
    let stdout = "",
      stderr = "";
    for (const line of script.split("\n")) {
      const r = await this.runLine(line);
      stdout += r.stdout;
      stderr += r.stderr;
      if (r.exit) return { stdout, stderr, code: r.code, exit: true };
    }
    return { stdout, stderr, code: this.lastCode };
  }

  /** A path as the shell resolves it against its working directory. */
  resolve(p: string): string {
    const abs = p.startsWith("/") ? p : (this.cwd === "/" ? "/" : this.cwd + "/") + p;
    const parts: string[] = [];
    for (const s of abs.split("/")) {
      if (!s || s === ".") continue;
      if (s === "..") parts.pop();
      else parts.push(s);
    }
    return "/" + parts.join("/");
  }

  /** One simple command. `input` is the previous pipeline stage's stdout (or exec stdin). */
  async runCommand(argv: string[], input?: string): Promise<RunResult> {
    const [cmd, ...args] = argv;
    if (cmd === undefined) return ok();
    const command = COMMANDS.get(EXECUTABLES.get(cmd) ?? cmd);
    if (!command) return { stdout: "", stderr: `sh: ${cmd}: not found\n`, code: 127 };
    return command.run(this, args, input, cmd);
  }
}

const ok = (stdout = ""): RunResult => ({ stdout, stderr: "", code: 0 });
const fail = (stderr: string, code = 1): RunResult => ({ stdout: "", stderr, code });

interface Command {
  run(sh: Shell, args: string[], input: string | undefined, name: string): RunResult | Promise<RunResult>;
  /** Where the image has the program, besides on $PATH by its name. Absent for a shell built-in,
   *  which the container runtime cannot start (`kubectl exec pod -- cd` is "not found"). */
  files?: string[];
  /** A shell: runs `-c SCRIPT`, or a script on stdin. */
  shell?: true;
}

async function runShell(sh: Shell, args: string[], input: string | undefined): Promise<RunResult> {
  if (args[0] === "-c" && args[1] === undefined) return fail("sh: -c requires an argument\n", 2);
  // `sh -c SCRIPT`, or `sh` fed a script on stdin (a non-interactive pipe)
  const r = await new Shell(sh.view).runScript(args[0] === "-c" ? args[1] : (input ?? ""));
  return { stdout: r.stdout, stderr: r.stderr, code: r.code };
}

function headOrTail(_sh: Shell, args: string[], input: string | undefined, name: string): RunResult {
  const nIdx = args.indexOf("-n");
  const n = nIdx >= 0 ? Number(args[nIdx + 1]) : 10;
  const lines = (input ?? "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const pick = name.endsWith("head") ? lines.slice(0, n) : lines.slice(Math.max(0, lines.length - n));
  return ok(pick.map((l) => l + "\n").join(""));
}

/** Every program a sandbox container has, by name: the one list the shell, exec and the session's
 *  "is this a shell?" all read. Deliberately small: verify needs `env` and `cat FILE`. */
const COMMANDS = new Map<string, Command>(
  Object.entries({
    sh: { files: ["/bin/sh"], shell: true, run: runShell },
    bash: { files: ["/bin/bash"], shell: true, run: runShell },
    ash: { files: ["/bin/ash"], shell: true, run: runShell },
    ":": { run: () => ok() },
    true: { files: [], run: () => ok() },
    false: { files: [], run: () => ({ stdout: "", stderr: "", code: 1 }) },
    exit: {
      run: (sh, args) => {
        const n = args[0] === undefined ? sh.lastCode : Number(args[0]);
        if (!Number.isInteger(n)) return { stdout: "", stderr: `sh: exit: Illegal number: ${args[0]}\n`, code: 2, exit: true };
        return { stdout: "", stderr: "", code: ((n % 256) + 256) % 256, exit: true };
      },
    },
    echo: {
      files: ["/bin/echo"],
      run: (_sh, args) => {
        const noNl = args[0] === "-n";
        return ok((noNl ? args.slice(1) : args).join(" ") + (noNl ? "" : "\n"));
      },
    },
    env: { files: ["/usr/bin/env"], run: (sh) => ok(sh.view.env.map(([k, v]) => `${k}=${v}\n`).join("")) },
    printenv: {
      files: [],
      run: (sh, args) => {
        if (args.length === 0) return ok(sh.view.env.map(([k, v]) => `${k}=${v}\n`).join(""));
        const vals = args.map((a) => sh.view.env.find(([k]) => k === a)?.[1]);
        const out = vals
          .filter((v) => v !== undefined)
          .map((v) => v + "\n")
          .join("");
        return { stdout: out, stderr: "", code: vals.every((v) => v !== undefined) ? 0 : 1 };
      },
    },
    hostname: { files: [], run: (sh) => ok(sh.view.hostname + "\n") },
    pwd: { files: [], run: (sh) => ok(sh.cwd + "\n") },
    whoami: { files: [], run: () => ok("root\n") },
    id: { files: [], run: () => ok("uid=0(root) gid=0(root) groups=0(root)\n") },
    cd: {
      run: (sh, args) => {
        const target = sh.resolve(args[0] ?? "/root");
        if (!sh.view.listDir(target)) return fail(`sh: cd: can't cd to ${args[0]}: No such file or directory\n`, 2);
        sh.cwd = target;
        return ok();
      },
    },
    sleep: {
      files: [],
      run: async (_sh, args) => {
        const s = Number(args[0] ?? "");
        if (!Number.isFinite(s) || s < 0) return fail(`sleep: invalid number '${args[0] ?? ""}'\n`);
        await new Promise((r) => setTimeout(r, Math.min(s, 5) * 1000));
        return ok();
      },
    },
    cat: {
      files: ["/bin/cat"],
      run: async (sh, args, input) => {
        if (args.length === 0) return ok(input ?? "");
        let out = "",
          err = "",
          code = 0;
        for (const a of args) {
          const p = sh.resolve(a);
          if (sh.view.listDir(p)) {
            err += `cat: read error: Is a directory\n`;
            code = 1;
            continue;
          }
          const c = await sh.view.readFile(p);
          if (c === undefined) {
            err += `cat: can't open '${a}': No such file or directory\n`;
            code = 1;
          } else out += c;
        }
        return { stdout: out, stderr: err, code };
      },
    },
    ls: {
      files: ["/bin/ls"],
      run: async (sh, args) => {
        const flags = args.filter((a) => a.startsWith("-")).join("");
        const paths = args.filter((a) => !a.startsWith("-"));
        const all = flags.includes("a");
        let out = "",
          err = "",
          code = 0;
        for (const a of paths.length ? paths : ["."]) {
          const p = sh.resolve(a);
          const entries = sh.view.listDir(p);
          if (entries) {
            if (paths.length > 1) out += `${a}:\n`;
            const shown = entries.filter((e) => all || !e.startsWith("."));
            out += shown.length ? shown.join("\n") + "\n" : "";
          } else if ((await sh.view.readFile(p)) !== undefined) out += a + "\n";
          else {
            err += `ls: ${a}: No such file or directory\n`;
            code = 1;
          }
        }
        return { stdout: out, stderr: err, code };
      },
    },
    grep: { files: [], run: (_sh, args, input) => grep(args, input) },
    wc: {
      files: [],
      run: (_sh, args, input) => {
        const text = input ?? "";
        if (args.includes("-l")) return ok(`${(text.match(/\n/g) ?? []).length}\n`);
        return ok(`${text.length}\n`);
      },
    },
    head: { files: [], run: headOrTail },
    tail: { files: [], run: headOrTail },
  } satisfies Record<string, Command>),
);

/** What the container runtime can start directly, by argv[0] (a name on $PATH or a full path). */
const EXECUTABLES = new Map<string, string>(
  [...COMMANDS].filter(([, c]) => c.files).flatMap(([name, c]) => [name, ...c.files!].map((p): [string, string] => [p, name])),
);

/** True when argv[0] starts a shell. */
export const isShell = (argv0: string | undefined): boolean => {
  const name = argv0 === undefined ? undefined : EXECUTABLES.get(argv0);
  return name !== undefined && COMMANDS.get(name)?.shell === true;
};

/** grep with -i, -v, -E, -c, -q, -o, -n basics over piped input. */
function grep(args: string[], input?: string): RunResult {
  let ci = false,
    inv = false,
    count = false,
    quiet = false,
    only = false,
    num = false;
  let pattern: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "-e") {
      pattern = args[++i];
      continue;
    }
    if (a.startsWith("-") && a.length > 1 && pattern === undefined) {
      for (const f of a.slice(1)) {
        if (f === "i") ci = true;
        else if (f === "v") inv = true;
        else if (f === "c") count = true;
        else if (f === "q") quiet = true;
        else if (f === "o") only = true;
        else if (f === "n") num = true;
        else if (f === "E" || f === "F" || f === "w") {
          /* ERE is our only dialect */
        } else return { stdout: "", stderr: `grep: unrecognized option: ${f}\nBusyBox v1.36.1 multi-call binary.\n`, code: 2 };
      }
      continue;
    }
    if (pattern === undefined) pattern = a;
    // file arguments are not supported: the pod's files are mostly tokens; read stdin only
  }
  if (pattern === undefined)
    return {
      stdout: "",
      stderr:
        "BusyBox v1.36.1 (2024-06-10 07:11:47 UTC) multi-call binary.\n\nUsage: grep [-HhnlLoqvsrRiwFE] [-m N] [-A|B|C N] { PATTERN | -e PATTERN... | -f FILE... } [FILE]...\n",
      code: 2,
    };
  let re: RegExp;
  try {
    re = new RegExp(pattern, ci ? "i" : "");
  } catch {
    return { stdout: "", stderr: `grep: bad regex '${pattern}'\n`, code: 2 };
  }
  const lines = (input ?? "").split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const hits: string[] = [];
  lines.forEach((l, idx) => {
    const m = re.test(l);
    if (m !== inv) hits.push(only && !inv ? (l.match(re)?.[0] ?? l) : num ? `${idx + 1}:${l}` : l);
  });
  const code = hits.length ? 0 : 1;
  if (quiet) return { stdout: "", stderr: "", code };
  if (count) return { stdout: `${hits.length}\n`, stderr: "", code };
  return { stdout: hits.map((h) => h + "\n").join(""), stderr: "", code };
}

/** Runs an exec's argv as the container runtime would: directly, not through a shell. */
export async function execArgv(view: ContainerView, argv: string[], stdin?: string): Promise<RunResult | { notFound: string }> {
  const name = view.bare ? undefined : EXECUTABLES.get(argv[0]);
  if (!name) return { notFound: argv[0] };
  const r = await new Shell(view).runCommand([name, ...argv.slice(1)], stdin);
  return { stdout: r.stdout, stderr: r.stderr, code: r.code };
}

/** Output redirections a stage may carry: >&2, 2>&1, >/dev/null, 2>/dev/null (the filesystem is read-only). */
function redirections(words: string[]): { argv: string[]; apply: (r: RunResult) => RunResult } | { error: string } {
  const argv: string[] = [];
  const ops: Array<(r: RunResult) => RunResult> = [];
  for (let i = 0; i < words.length; i++) {
    const m = /^(\d?)>>?(.*)$/.exec(words[i]);
    if (!m) {
      argv.push(words[i]);
      continue;
    }
    const fd = m[1] === "2" ? 2 : 1;
    const target = m[2] || words[++i] || "";
    if (target === "&2" && fd === 1) ops.push((r) => ({ ...r, stdout: "", stderr: r.stderr + r.stdout }));
    else if (target === "&1" && fd === 2) ops.push((r) => ({ ...r, stdout: r.stdout + r.stderr, stderr: "" }));
    else if (target === "/dev/null") ops.push((r) => (fd === 1 ? { ...r, stdout: "" } : { ...r, stderr: "" }));
    else if (target === "&1" || target === "&2") {
      /* fd to itself */
    } else return { error: `sh: can't create ${target}: Read-only file system\n` };
  }
  return { argv, apply: (r) => ops.reduce((acc, op) => op(acc), r) };
}
