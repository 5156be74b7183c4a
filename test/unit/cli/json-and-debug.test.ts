// The pieces of the CI contract and --debug that need no process: which argv asks for JSON, the
// error document, and the URL redaction of the HTTP trace.
import { describe, expect, it } from "vitest";
import { CommanderError } from "commander";
import { documentFormat, errorDocument } from "../../../src/cli/json-output.js";
import { redactUrl } from "../../../src/cli/debug-trace.js";
import { colorWanted } from "../../../src/cli/color.js";
import { StepError, UserError } from "../../../src/core/errors.js";

describe("documentFormat", () => {
  it.each<[string[], "json" | "yaml" | undefined]>([
    [["init", "-o", "json"], "json"],
    [["init", "-ojson"], "json"],
    [["verify", "--output", "json"], "json"],
    [["verify", "--output=json"], "json"],
    [["sandbox", "env", "--format", "json"], "json"],
    [["status", "-o", "yaml"], "yaml"],
    [["status", "-oyaml"], "yaml"],
    [["status", "--output=yaml"], "yaml"],
    [["init", "-o", "table"], undefined],
    [["init", "-o", "text"], undefined],
    [["init"], undefined],
    [["init", "--", "-o", "json"], undefined],
  ])("%j → %s", (argv, want) => expect(documentFormat(argv)).toBe(want));
});

describe("errorDocument", () => {
  it("carries the kind as code, the message, the fix and the exit code", () => {
    expect(errorDocument(new UserError("bad flag", "fix it"), 2)).toEqual({
      version: 1,
      result: "error",
      exitCode: 2,
      error: { code: "usage", message: "bad flag", fix: "fix it", exitCode: 2 },
    });
    expect(errorDocument(new StepError("identity", "boom"), 1).error).toMatchObject({ code: "failed", exitCode: 1 });
    expect(errorDocument(new CommanderError(1, "commander.unknownOption", "error: unknown option '--x'"), 2).error).toMatchObject({
      code: "usage",
      message: "unknown option '--x'",
    });
    expect(errorDocument(new Error("oops\nstack"), 1).error).toMatchObject({ code: "internal", message: "oops" });
  });
});

describe("redactUrl", () => {
  it.each([
    ["https://h/a?api-version=2024-01-01", "https://h/a?api-version=2024-01-01"],
    ["https://h/a?api-version=1&$filter=principalId%20eq%20'x'", "https://h/a?api-version=1&$filter=REDACTED"],
    ["https://h/token?client-request-id=abc&code=secret", "https://h/token?client-request-id=REDACTED&code=REDACTED"],
    ["https://h/exec?command=cat&command=/var/run/token&flag", "https://h/exec?command=REDACTED&command=REDACTED&flag"],
    ["https://h/no-query", "https://h/no-query"],
  ])("%s", (url, want) => expect(redactUrl(url)).toBe(want));
});

describe("colorWanted", () => {
  it("NO_COLOR (any non-empty value) and --no-color turn colour off", () => {
    expect(colorWanted(["verify"], {})).toBe(true);
    expect(colorWanted(["verify"], { NO_COLOR: "1" })).toBe(false);
    expect(colorWanted(["verify"], { NO_COLOR: "" })).toBe(true);
    expect(colorWanted(["verify", "--no-color"], {})).toBe(false);
  });
});
