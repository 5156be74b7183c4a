// Ctrl-C outside a prompt (a prompt turns it into a cancellation itself): say how to go on and
// exit 130 as a shell would. A command that stops gracefully on its own (`sandbox start
// --foreground`) takes the signal over with handOverInterrupt().
import { EXIT } from "./exit-codes.js";

function onInterrupt(): void {
  console.error("\ncancelled (Ctrl-C): the state is saved after every step; re-run the same command to resume");
  process.exit(EXIT.cancelled);
}

export function installInterrupt(): void {
  process.on("SIGINT", onInterrupt);
}

export function handOverInterrupt(): void {
  process.removeListener("SIGINT", onInterrupt);
}
