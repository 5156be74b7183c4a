// The import rules of docs/ARCHITECTURE.md ("Who may import whom"), checked by `npm run lint`
// (part of `npm test`): a rule broken here fails the build, not only a review.
/** @type {import('dependency-cruiser').IConfiguration} */
const typeOnly = { dependencyTypesNot: ["type-only"] };

module.exports = {
  forbidden: [
    {
      name: "core-imports-nothing-of-ours",
      comment: "src/core is the bottom layer: errors, ports, constants, rules. It imports nothing of ours.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^(src/(?!core/)|sandbox/)" },
    },
    {
      name: "terminal-imports-core-only",
      severity: "error",
      from: { path: "^src/terminal/" },
      to: { path: "^(src/(?!terminal/|core/)|sandbox/)" },
    },
    {
      name: "init-imports-core-and-terminal-types",
      comment: "The init engine talks to the terminal only through the Ui the command hands it.",
      severity: "error",
      from: { path: "^src/init/" },
      to: { path: "^(src/(?!init/|core/|terminal/)|sandbox/)" },
    },
    {
      name: "init-uses-terminal-types-only",
      severity: "error",
      from: { path: "^src/init/" },
      to: { path: "^src/terminal/", ...typeOnly },
    },
    {
      name: "steps-import-core-and-the-step-contract",
      comment: "A step sees core and ../step.ts (the contract) and its siblings; never the runner, the terminal or an SDK.",
      severity: "error",
      from: { path: "^src/init/steps/" },
      to: { path: "^(src/(?!core/|init/step\\.ts$|init/steps/)|sandbox/)" },
    },
    {
      name: "config-imports-core",
      comment: "src/config reads and checks the config file for many bindings; it knows nothing of Azure or the cluster.",
      severity: "error",
      from: { path: "^src/config/" },
      to: { path: "^(src/(?!config/|core/)|sandbox/)" },
    },
    {
      name: "verify-imports-core",
      severity: "error",
      from: { path: "^src/verify/" },
      to: { path: "^(src/(?!verify/|core/)|sandbox/)" },
    },
    {
      name: "doctor-imports-core-and-verify",
      comment: "doctor reuses verify's checks and gatherer over its own one-pass facts; it reaches Azure and the cluster only through its ports.",
      severity: "error",
      from: { path: "^src/doctor/" },
      to: { path: "^(src/(?!doctor/|core/|verify/)|sandbox/)" },
    },
    {
      name: "adapters-import-core-and-verify-ports",
      comment: "src/azure and src/kube implement core's ports (and verify's and doctor's, by type: their ports and the facts they return).",
      severity: "error",
      from: { path: "^src/(azure|kube)/" },
      to: { path: "^(src/(?!azure/|kube/|core/|(verify|doctor)/(ports|types)\\.ts$)|sandbox/(?!info\\.ts$))" },
    },
    {
      name: "adapters-use-verify-ports-as-types",
      severity: "error",
      from: { path: "^src/(azure|kube)/" },
      to: { path: "^(src/(verify|doctor)/(ports|types)\\.ts|sandbox/info\\.ts)$", ...typeOnly },
    },
    {
      name: "azure-sdk-only-in-src-azure",
      severity: "error",
      from: { path: "^src/(?!azure/)" },
      to: { path: "@azure/", dependencyTypes: ["npm", "npm-dev", "npm-peer", "npm-optional", "npm-no-pkg", "npm-unknown"] },
    },
    {
      name: "kubernetes-sdk-only-in-src-kube",
      severity: "error",
      from: { path: "^src/(?!kube/)" },
      to: { path: "@kubernetes/client-node" },
    },
    {
      name: "inquirer-only-in-the-prompt-facade",
      severity: "error",
      from: { path: "^src/(?!terminal/prompts\\.ts$)" },
      to: { path: "@inquirer/" },
    },
    {
      name: "no-command-imports-another",
      severity: "error",
      from: { path: "^src/cli/commands/([^/]+)\\.ts$" },
      to: { path: "^src/cli/commands/", pathNot: "^src/cli/commands/$1\\.ts$" },
    },
    {
      name: "product-reaches-the-sandbox-through-its-public-face",
      comment: "Only commands/sandbox.ts (lazily) and the sandbox cloud profile (sandbox.json's type) see the sandbox.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(cli/commands/sandbox|azure/cloud)\\.ts$" },
      to: { path: "^sandbox/" },
    },
    {
      name: "sandbox-public-face-only",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^sandbox/", pathNot: "^sandbox/(index|daemon|info|specs)\\.ts$" },
    },
    {
      name: "sandbox-imports-nothing-of-the-product",
      severity: "error",
      from: { path: "^sandbox/" },
      to: { path: "^src/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    // Type-only imports count too (and are told apart by the rules that allow only them).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.base.json" },
  },
};
