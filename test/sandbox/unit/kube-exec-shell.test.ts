// The exec shell over a fake container view (our own interface).
import { describe, expect, it } from "vitest";
import { Shell, execArgv, isShell, tokenize, type ContainerView } from "../../../sandbox/kube/exec/shell.js";

const view: ContainerView = {
  env: [
    ["PATH", "/bin"],
    ["HOSTNAME", "pod-a"],
    ["AZURE_CLIENT_ID", "cid"],
    ["AZURE_FEDERATED_TOKEN_FILE", "/var/run/secrets/azure/tokens/azure-identity-token"],
    ["HOME", "/root"],
  ],
  hostname: "pod-a",
  readFile: async (p) => (p === "/var/run/secrets/azure/tokens/azure-identity-token" ? "TOKEN-" + p.length : p === "/etc/hostname" ? "pod-a\n" : undefined),
  listDir: (p) => (({ "/": ["etc", "var"], "/var/run/secrets/azure/tokens": ["azure-identity-token"] }) as Record<string, string[]>)[p],
};

describe("shell", () => {
  it("tokenizes quotes and expands variables outside single quotes", () => {
    const t = tokenize(`echo "$HOME x" '$HOME' \${AZURE_CLIENT_ID}|grep -i a && b`, (n) => (n === "HOME" ? "/root" : n === "AZURE_CLIENT_ID" ? "cid" : ""));
    expect(t).toEqual([
      { t: "word", v: "echo" },
      { t: "word", v: "/root x" },
      { t: "word", v: "$HOME" },
      { t: "word", v: "cid" },
      { t: "op", v: "|" },
      { t: "word", v: "grep" },
      { t: "word", v: "-i" },
      { t: "word", v: "a" },
      { t: "op", v: "&&" },
      { t: "word", v: "b" },
    ]);
  });

  it("pipes env into grep (-i, -v, -E)", async () => {
    const s = new Shell(view);
    expect((await s.runLine("env | grep -i azure")).stdout).toBe(
      "AZURE_CLIENT_ID=cid\nAZURE_FEDERATED_TOKEN_FILE=/var/run/secrets/azure/tokens/azure-identity-token\n",
    );
    expect((await s.runLine("env | grep -v AZURE | grep -E '^(PATH|HOME)='")).stdout).toBe("PATH=/bin\nHOME=/root\n");
    expect((await s.runLine("env | grep NOPE")).code).toBe(1);
  });

  it("reads the token file through $AZURE_FEDERATED_TOKEN_FILE and reports missing files", async () => {
    const s = new Shell(view);
    expect((await s.runLine("cat $AZURE_FEDERATED_TOKEN_FILE")).stdout).toBe("TOKEN-50");
    const miss = await s.runLine("cat /nope");
    expect(miss).toMatchObject({ code: 1, stderr: "cat: can't open '/nope': No such file or directory\n" });
    expect((await s.runLine("ls /var/run/secrets/azure/tokens")).stdout).toBe("azure-identity-token\n");
  });

  it("honours &&, ||, ;, exit codes, unknown commands and exit", async () => {
    const s = new Shell(view);
    expect((await s.runLine("false && echo no || echo yes; echo $?")).stdout).toBe("yes\n0\n");
    expect(await s.runLine("frobnicate")).toMatchObject({ code: 127, stderr: "sh: frobnicate: not found\n" });
    expect(await s.runLine("echo a; exit 3; echo b")).toMatchObject({ stdout: "a\n", code: 3, exit: true });
    expect((await s.runLine("printenv AZURE_CLIENT_ID HOSTNAME")).stdout).toBe("cid\npod-a\n");
    expect((await s.runLine("hostname")).stdout).toBe("pod-a\n");
  });

  it("runs an exec argv directly: sh -c nests, unknown binaries are not found", async () => {
    expect(await execArgv(view, ["sh", "-c", "echo $HOSTNAME; exit 2"])).toEqual({ stdout: "pod-a\n", stderr: "", code: 2 });
    expect(await execArgv(view, ["nosuch"])).toEqual({ notFound: "nosuch" });
    expect(await execArgv(view, ["sh"], "echo one\nexit 5\necho two\n")).toEqual({ stdout: "one\n", stderr: "", code: 5 });
  });
});

describe("the programs of a container (one command table)", () => {
  it("exec starts a program by name or by its path; shell built-ins are no executables", async () => {
    expect(await execArgv(view, ["/usr/bin/env"])).toMatchObject({ code: 0, stdout: expect.stringContaining("AZURE_CLIENT_ID=cid\n") });
    expect(await execArgv(view, ["/bin/cat", "/etc/hostname"])).toEqual({ stdout: "pod-a\n", stderr: "", code: 0 });
    expect(await execArgv(view, ["cd", "/"])).toEqual({ notFound: "cd" });
    expect(await execArgv(view, ["exit"])).toEqual({ notFound: "exit" });
    expect(await execArgv(view, ["/bin/env"])).toEqual({ notFound: "/bin/env" });
  });

  it("the shell finds the same programs by path, and knows which ones are shells", async () => {
    expect((await new Shell(view).runLine("/bin/cat /etc/hostname")).stdout).toBe("pod-a\n");
    expect(["sh", "/bin/sh", "bash", "/bin/ash"].map(isShell)).toEqual([true, true, true, true]);
    expect(["env", "/bin/cat", "cd", "toString", undefined].map(isShell)).toEqual([false, false, false, false, false]);
  });
});

describe("shell redirections", () => {
  it("moves output between stdout and stderr and discards to /dev/null", async () => {
    const s = new Shell(view);
    expect(await s.runLine("echo oops >&2")).toMatchObject({ stdout: "", stderr: "oops\n" });
    expect(await s.runLine("cat /nope 2>&1")).toMatchObject({ stdout: "cat: can't open '/nope': No such file or directory\n", stderr: "" });
    expect(await s.runLine("cat /nope 2>/dev/null || echo gone")).toMatchObject({ stdout: "gone\n", stderr: "" });
    expect(await s.runLine("echo x > /tmp/f")).toMatchObject({ code: 1, stderr: "sh: can't create /tmp/f: Read-only file system\n" });
  });
});
