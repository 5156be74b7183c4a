// Preloaded by the bench (node --require) into the CLI process: at exit, writes the process's peak
// resident set size (KiB) to the file named by AKS_WI_BENCH_RSS_FILE. Product code knows nothing of it.
const file = process.env.AKS_WI_BENCH_RSS_FILE;
if (file) process.on("exit", () => require("node:fs").writeFileSync(file, String(process.resourceUsage().maxRSS)));
