// An exec session as the kubelet runs it: the request is checked against the pod (exists, names
// a running container, offers a protocol we speak), then the command runs over the channels —
// an argv directly, or an interactive shell fed line by line (echo and prompt under a tty).
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { KubeEnv } from "../kinds/index.js";
import { containerView, pickContainer } from "../kubelet.js";
import { badRequest, notFound } from "../status.js";
import { ExecChannels, exitStatus, rejectUpgrade, unsupportedProtocol, upgrade } from "./protocol.js";
import { Shell, execArgv, isShell, type ContainerView } from "./shell.js";

export interface ExecRequest {
  namespace: string;
  pod: string;
  url: URL;
}

interface ExecOptions {
  stdin: boolean;
  tty: boolean;
  command: string[];
}

const flag = (q: URLSearchParams, name: string) => q.get(name) === "true" || q.get(name) === "1";

/** Validates the exec request against the pod, then upgrades and runs the command. */
export function handleExec({ ctx, store }: KubeEnv, req: IncomingMessage, socket: Duplex, head: Buffer, ex: ExecRequest): void {
  const pod = store.get("pods", ex.namespace, ex.pod);
  if (!pod) return rejectUpgrade(socket, notFound("pods", ex.pod));
  const q = ex.url.searchParams;
  const command = q.getAll("command");
  if (command.length === 0) return rejectUpgrade(socket, badRequest("you must specify at least 1 command"));
  const pick = pickContainer(pod, q.get("container"));
  if (!pick.ok) return rejectUpgrade(socket, pick.res);
  const st = (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === pick.value.name);
  if (!st?.state?.running) return rejectUpgrade(socket, badRequest(`unable to upgrade connection: container not found ("${pick.value.name}")`));
  const refused = unsupportedProtocol(req);
  if (refused) return rejectUpgrade(socket, refused);
  const sa = store.get("serviceaccounts", pod.metadata.namespace, pod.spec.serviceAccountName);
  const view = containerView(ctx, pod, pick.value, sa);
  const opts: ExecOptions = { stdin: flag(q, "stdin"), tty: flag(q, "tty"), command };
  upgrade(req, socket, head, opts.tty, (channels) => runSession(channels, view, opts));
}

async function runSession(channels: ExecChannels, view: ContainerView, o: ExecOptions): Promise<void> {
  const [cmd, ...args] = o.command;
  if (isShell(cmd) && !view.bare && !args.includes("-c") && o.stdin) return interactiveShell(channels, view, o);

  const input = o.stdin && channels.canCloseStdin ? await channels.readStdin() : undefined;
  const r = await execArgv(view, o.command, input);
  if ("notFound" in r) {
    const message = `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${r.notFound}": executable file not found in $PATH: unknown`;
    channels.end({ metadata: {}, status: "Failure", message, reason: "InternalError", details: { causes: [{ message }] }, code: 500 });
    return;
  }
  channels.write("stdout", r.stdout);
  channels.write("stderr", r.stderr);
  channels.end(exitStatus(o.command, r.code));
}

/** Lines from stdin run as they arrive; with a tty, keys are echoed and a prompt shown, and
 *  ^C, ^D and backspace act as a terminal's line discipline makes them. */
function interactiveShell(channels: ExecChannels, view: ContainerView, o: ExecOptions): void {
  const shell = new Shell(view);
  let finished = false;
  const finish = (code: number) => {
    if (finished) return;
    finished = true;
    channels.end(exitStatus(o.command, code));
  };
  const out = (text: string) => channels.write("stdout", text);
  const prompt = () => {
    if (o.tty) out("/ # ");
  };
  let line = "";
  let lastCode = 0;
  let queue = Promise.resolve();
  const runLine = (l: string) => {
    queue = queue.then(async () => {
      if (finished) return;
      const r = await shell.runLine(l);
      lastCode = r.code;
      out(r.stdout);
      channels.write("stderr", r.stderr);
      if (r.exit) finish(r.code);
      else prompt();
    });
  };
  const takeLine = () => {
    const l = line;
    line = "";
    runLine(l);
  };
  prompt();
  channels.onStdin(
    (text) => {
      for (const c of text) {
        if (!o.tty) {
          if (c === "\n") takeLine();
          else line += c;
        } else if (c === "\r" || c === "\n") {
          out("\n");
          takeLine();
        } else if (c === "\x7f" || c === "\b") {
          if (line) {
            line = line.slice(0, -1);
            out("\b \b");
          }
        } else if (c === "\x03") {
          line = "";
          out("^C\n");
          prompt();
        } else if (c === "\x04") {
          if (!line)
            queue = queue.then(() => {
              out("\n");
              finish(lastCode);
            });
        } else {
          line += c;
          out(c);
        }
      }
    },
    // v5 close of stdin: run any unterminated last line, then end like sh at EOF
    () => {
      if (line) takeLine();
      queue = queue.then(() => finish(lastCode));
    },
  );
  channels.onClose(() => {
    finished = true;
  });
}
