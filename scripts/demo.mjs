// `npm run demo`: the whole wizard, non-interactively, against a local sandbox.
// 1. start the sandbox (in .aks-wi/demo-sandbox), 2. init with a Key Vault role, 3. verify.
import { join } from "node:path";
import { aksWi, root, sandboxVaultId } from "./lib.mjs";

const dir = process.env.AKS_WI_SANDBOX_DIR ?? join(root, ".aks-wi", "demo-sandbox");
const step = (title) => console.log(`\n\x1b[1m== ${title}\x1b[0m`);
const must = (r, what) => {
  if (r.status !== 0) {
    console.error(`demo: ${what} failed (exit ${r.status})`);
    process.exit(r.status);
  }
};

step(`aks-wi sandbox start --dir ${dir}`);
must(aksWi(["sandbox", "start", "--dir", dir]), "sandbox start");

const vault = sandboxVaultId(dir);
const initArgs = [
  "init",
  "--sandbox",
  "--sandbox-dir",
  dir,
  "--yes",
  "--identity",
  "id-demo-app",
  "--namespace",
  "demo",
  "--service-account",
  "demo-app",
  "--role",
  "Key Vault Secrets User",
  "--scope",
  vault,
  "--state",
  join(dir, "..", "demo-state.json"),
];
step(`aks-wi ${initArgs.join(" ")}`);
must(aksWi(initArgs), "init");

const verifyArgs = ["verify", "--sandbox", "--sandbox-dir", dir, "--state", join(dir, "..", "demo-state.json")];
step(`aks-wi ${verifyArgs.join(" ")}`);
must(aksWi(verifyArgs), "verify");

step("done");
console.log(
  `The sandbox keeps running. Try:\n  eval "$(node bin/aks-wi sandbox env --dir ${dir})" && kubectl get pods -n demo\n  node bin/aks-wi sandbox stop --dir ${dir}`,
);
