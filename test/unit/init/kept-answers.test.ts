// The wizard's kept answers: where they live (XDG_STATE_HOME, else ~/.local/state), written
// private and whole, one entry per cloud, removed by a successful run, never holding a secret.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keptAnswersPath, openKeptAnswers } from "../../../src/init/kept-answers.js";

const dir = () => mkdtempSync(join(tmpdir(), "aks-wi-kept-"));

describe("keptAnswersPath", () => {
  it("XDG_STATE_HOME, else HOME's .local/state; a relative XDG_STATE_HOME is ignored; no home: none", () => {
    expect(keptAnswersPath({ XDG_STATE_HOME: "/x/state", HOME: "/home/u" })).toBe("/x/state/aks-wi/answers.json");
    expect(keptAnswersPath({ XDG_STATE_HOME: "rel", HOME: "/home/u" })).toBe("/home/u/.local/state/aks-wi/answers.json");
    expect(keptAnswersPath({})).toBeUndefined();
  });
});

describe("openKeptAnswers", () => {
  it("keeps answers per cloud in a 0600 file in a 0700 directory, and a success clears only its cloud", async () => {
    const path = keptAnswersPath({ XDG_STATE_HOME: dir() })!;
    const sandbox = await openKeptAnswers(path, "sandbox");
    expect(sandbox.answers).toEqual({});
    await sandbox.keep({ identity: "id-a", roles: [{ role: "Reader", scope: "/subscriptions/s" }] });
    await (await openKeptAnswers(path, "AzureCloud")).keep({ identity: "id-b" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect((await openKeptAnswers(path, "sandbox")).answers).toEqual({ identity: "id-a", roles: [{ role: "Reader", scope: "/subscriptions/s" }] });
    await (await openKeptAnswers(path, "sandbox")).clear();
    expect((await openKeptAnswers(path, "sandbox")).answers).toEqual({});
    expect((await openKeptAnswers(path, "AzureCloud")).answers).toEqual({ identity: "id-b" });
    await (await openKeptAnswers(path, "AzureCloud")).clear();
    expect(existsSync(path)).toBe(false);
  });

  it("a corrupt file offers nothing; an unwritable place is said once and costs nothing else", async () => {
    const base = dir();
    const path = join(base, "answers.json");
    writeFileSync(path, "{not json");
    expect((await openKeptAnswers(path, "sandbox")).answers).toEqual({});
    writeFileSync(join(base, "file"), "");
    const notes: string[] = [];
    const k = await openKeptAnswers(join(base, "file", "aks-wi", "answers.json"), "sandbox", (l) => notes.push(l));
    await k.keep({ identity: "x" });
    await k.keep({ identity: "y" });
    expect(notes).toEqual([expect.stringMatching(/^answers not kept: .*file/)]);
  });

  it("refuses to keep anything that looks like a token", async () => {
    const path = keptAnswersPath({ XDG_STATE_HOME: dir() })!;
    const k = await openKeptAnswers(path, "sandbox");
    await expect(k.keep({ identity: "eyJhbGciOi.eyJzdWIiOi.sig" })).rejects.toThrow(/refusing to save a token/);
    expect(existsSync(path) ? readFileSync(path, "utf8") : "").not.toContain("eyJ");
  });
});
