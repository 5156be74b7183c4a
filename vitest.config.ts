import { defineConfig } from "vitest/config";

// Integration tests start real HTTPS servers and spawn kubectl and the built CLI,
// so they get generous timeouts; files run in parallel across the two cores.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default"],
  },
});
