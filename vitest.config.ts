import { defineConfig } from "vitest/config";

// Integration tests start real HTTPS servers and spawn kubectl and the built CLI,
// so they get generous timeouts. Files run two at a time: vitest's default on a 2-core machine
// is one (cores - 1), and most of a file's time is spent waiting on a child process or a
// sandbox's timers, so a second worker keeps both cores busy.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
  },
});
