/**
 * Import rules for src/: no cycles, and data flows one way (config → target model → attacks → verdicts →
 * report → renderers). `npx depcruise src suites` checks them; `npm test` runs it.
 */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "modules must not import each other in a cycle", from: {}, to: { circular: true } },
    {
      name: "leaves-stay-leaves",
      severity: "error",
      comment: "the catalogue, the error base and the data module import nothing of ours but each other",
      from: { path: "^src/(catalogue|data)/|^src/errors\\.ts$" },
      to: { path: "^src/", pathNot: "^src/(catalogue|data)/|^src/errors\\.ts$" },
    },
    {
      name: "lower-layers-do-not-import-checks-or-run",
      severity: "error",
      comment: "forge, http, config, model, target and judge sit below the check families and the run machinery",
      from: { path: "^src/(forge|http|config|model|target|judge|listener|browser)/" },
      to: { path: "^src/(checks|run|report|cli)/" },
    },
    {
      name: "checks-do-not-import-run-report-or-cli",
      severity: "error",
      from: { path: "^src/checks/" },
      to: { path: "^src/(run|report|cli)/" },
    },
    {
      name: "report-does-not-import-run-or-cli",
      severity: "error",
      from: { path: "^src/report/" },
      to: { path: "^src/(run|cli|checks)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
