// Reading Entra's error answers of the federated token exchange.
import { describe, expect, it } from "vitest";
import { aadstsCode } from "../../../src/azure/exchange.js";

describe("aadstsCode", () => {
  it("parses AADSTS codes from Entra's error answers", () => {
    expect(aadstsCode({ error: "invalid_client", error_description: "AADSTS70021: No matching federated identity record found", error_codes: [70021] })).toBe(
      70021,
    );
    expect(aadstsCode({ error_description: "AADSTS700213: No matching federated identity record found for presented assertion subject" })).toBe(700213);
    expect(aadstsCode("<html>")).toBeUndefined();
  });
});
