// The one place errors become exit codes: each error kind maps to its documented code.
import { describe, expect, it } from "vitest";
import { describeError } from "../../../src/cli/main.js";
import { CancelledError, DeniedError, StepError, UserError } from "../../../src/core/errors.js";

describe("describeError", () => {
  it.each<[string, unknown, number]>([
    ["usage", new UserError("bad flag", "fix it"), 2],
    ["denied", new DeniedError("not allowed"), 4],
    ["a failed step", new StepError("identity", "boom"), 1],
    ["failed", new UserError("broke", undefined, "failed"), 1],
    ["cancelled", new CancelledError(), 130],
    ["a bug (any other error)", new Error("oops\nstack"), 1],
  ])("%s", (_n, err, code) => {
    expect(describeError(err).exitCode).toBe(code);
  });

  it("prints the message and the hint on their own lines", () => {
    expect(describeError(new UserError("bad flag", "fix it")).text).toBe("error: bad flag\n  hint: fix it");
    expect(describeError(new Error("oops\nstack")).text).toBe("error: oops\n  hint: re-run with --debug for details");
  });
});
