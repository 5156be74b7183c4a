// init as a wizard over fakes of our own AzureOps/KubeOps and a Prompter: the equivalent command is
// printed at the end and after a failure past the questions; the answers are kept (under
// XDG_STATE_HOME) when the run fails and removed when it succeeds; a run that cannot ask keeps nothing.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { runInit, type InitDeps } from "../../../src/cli/commands/init.js";
import { UserError } from "../../../src/core/errors.js";
import type { InitOptions } from "../../../src/cli/options.js";
import type { PickChoice, Prompter } from "../../../src/terminal/prompts.js";
import { STEPS } from "../../../src/init/steps/index.js";
import { FakeAzure, FakeKube, SUB, VAULT_SCOPE } from "../../helpers/steps-fakes.js";

class Sink extends Writable {
  text = "";
  override _write(chunk: Buffer, _e: string, cb: () => void) {
    this.text += chunk.toString();
    cb();
  }
}

/** Takes every preselected entry (else "create new", the last), names a new identity id-wiz, and says yes. */
const prompter: Prompter = {
  input: async (o) => (/managed identity/.test(o.message) ? "id-wiz" : (o.default ?? "")),
  select: async <T>(o: { choices: PickChoice<T>[]; default?: T }) => (o.default !== undefined ? o.default : o.choices[o.choices.length - 1]!.value),
  search: async () => {
    throw new Error("roles are given by flag");
  },
  confirm: async () => true,
};

function harness(tty = true) {
  const azure = new FakeAzure();
  const cwd = mkdtempSync(join(tmpdir(), "aks-wi-wiz-"));
  const stdout = new Sink();
  const deps: InitDeps = {
    env: { XDG_STATE_HOME: cwd },
    cwd,
    stdinTty: tty,
    stdoutTty: tty,
    stdout,
    stderr: new Sink(),
    profile: () => ({ name: "sandbox", subscriptionId: SUB, defaults: { resourceGroup: "rg-sandbox", cluster: "aks-sandbox" } }),
    azure: async () => azure,
    kube: async () => new FakeKube(),
    prompter,
    steps: async () => STEPS,
  };
  return { azure, deps, stdout, answers: join(cwd, "aks-wi", "answers.json") };
}

const flags: InitOptions = {
  namespace: "app",
  serviceAccount: "sa-app",
  role: ["Key Vault Secrets User"],
  scope: [VAULT_SCOPE],
  testPod: false,
  output: "text",
};
const COMMAND = `  aks-wi init --subscription ${SUB} -g rg-sandbox --cluster aks-sandbox --identity id-wiz --namespace app --service-account sa-app --role 'Key Vault Secrets User' --scope ${VAULT_SCOPE} --no-test-pod --yes`;

describe("init as a wizard", () => {
  it("ends with the equivalent command and leaves no answers behind", async () => {
    const h = harness();
    expect(await runInit(flags, h.deps)).toBe(0);
    const lines = h.stdout.text.split("\n");
    expect(lines).toContain("To run this again without questions (in a script or CI):");
    expect(lines).toContain(COMMAND);
    expect(h.stdout.text).toMatch(/--write-config aks-wi\.yaml/);
    expect(existsSync(h.answers)).toBe(false);
  });

  it("a failure after the questions prints the command and keeps the answers for the next run", async () => {
    const h = harness();
    h.azure.createIdentity = async () => {
      throw new UserError("identity quota reached", undefined, "failed");
    };
    await expect(runInit(flags, h.deps)).rejects.toThrow(/identity quota reached/);
    expect(h.stdout.text.split("\n")).toContain(COMMAND);
    expect(JSON.parse(readFileSync(h.answers, "utf8")).clouds.sandbox.answers).toMatchObject({ identity: "id-wiz" });
  });

  it("a run that cannot ask neither keeps answers nor prints a command", async () => {
    const h = harness(false);
    expect(await runInit({ ...flags, identity: "id-flag", yes: true }, h.deps)).toBe(0);
    expect(h.stdout.text).not.toMatch(/To run this again/);
    expect(existsSync(h.answers)).toBe(false);
  });
});
