/**
 * The allowed imports between modules (docs/architecture.md, "Allowed imports"), checked by `npm run lint`.
 * Each rule forbids one wrong-way direction, so a violation names the rule that explains it. Rules are about
 * folders, not files, so code added inside a module needs no change here.
 */
const PLATFORM_CONTRACT = "^src/platform/(platform|errors)\\.ts$";
const COMPOSITION_ROOTS = "^(src/cli|src/server|src/bench|test)/";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "A module cycle makes the layering meaningless; move the shared piece down.",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "domain-is-pure",
      comment: "src/domain holds rules, validation and merge: it imports only itself (no I/O, no adapters).",
      severity: "error",
      from: { path: "^src/domain/" },
      to: { path: "^src/", pathNot: "^src/domain/" },
    },
    {
      name: "domain-does-no-io",
      comment: "src/domain does no I/O: no file system, network, processes or threads.",
      severity: "error",
      from: { path: "^src/domain/" },
      to: {
        dependencyTypes: ["core"],
        path: "^(node:)?(fs|fs/promises|net|http|https|http2|child_process|worker_threads|dgram|dns|tls)$",
      },
    },
    {
      name: "clock-is-a-leaf",
      comment: "src/clock is below everything: it imports nothing else of ours.",
      severity: "error",
      from: { path: "^src/clock/" },
      to: { path: "^src/", pathNot: "^src/clock/" },
    },
    {
      name: "threads-is-a-leaf",
      comment: "src/threads finds worker-thread entry files for store, server and bench; it imports nothing else of ours.",
      severity: "error",
      from: { path: "^src/threads/" },
      to: { path: "^src/", pathNot: "^src/threads/" },
    },
    {
      name: "render-is-presentation-only",
      comment: "src/render formats domain values for people (CLI and dashboard); it imports only the domain.",
      severity: "error",
      from: { path: "^src/render/" },
      to: { path: "^src/", pathNot: "^src/(render|domain)/" },
    },
    {
      name: "platform-contract-speaks-no-http",
      comment: "The Platform interface and its errors depend only on the domain: no HTTP, no driver.",
      severity: "error",
      from: { path: PLATFORM_CONTRACT },
      to: { path: "^src/", pathNot: `^src/domain/|${PLATFORM_CONTRACT}` },
    },
    {
      name: "engine-owns-its-contracts",
      comment:
        "The engine sees the domain, the clock, the Platform contract and its own store contract; never a driver, HTTP, the store, a webhook or an adapter.",
      severity: "error",
      from: { path: "^src/engine/" },
      to: { path: "^src/", pathNot: `^src/(engine|domain|clock)/|${PLATFORM_CONTRACT}` },
    },
    {
      name: "http-serves-drivers",
      comment:
        "src/http is the drivers' plumbing: it maps replies onto the Platform contract's errors but knows no driver, engine or store.",
      severity: "error",
      from: { path: "^src/http/" },
      to: { path: "^src/", pathNot: `^src/(http|clock|domain)/|${PLATFORM_CONTRACT}` },
    },
    {
      name: "platform-has-no-simulator",
      comment:
        "Production platform code never imports the simulator or its wiring (src/embedded does that), nor the engine, store or composition roots.",
      severity: "error",
      from: { path: "^src/platform/" },
      to: { path: "^src/", pathNot: "^src/(platform|http|clock|domain)/" },
    },
    {
      name: "sim-knows-no-driver",
      comment: "The simulator stands for the vendor's API: it imports only itself, the clock and the domain.",
      severity: "error",
      from: { path: "^src/sim/" },
      to: { path: "^src/", pathNot: "^src/(sim|clock|domain)/" },
    },
    {
      name: "store-implements-engine-contract",
      comment:
        "src/store persists what it is given: it sees the domain, the clock and the engine's store contract, never the webhook format or a driver.",
      severity: "error",
      from: { path: "^src/store/" },
      to: { path: "^src/", pathNot: "^src/(store|clock|domain|threads)/|^src/engine/store-contract\\.ts$" },
    },
    {
      name: "webhook-is-an-adapter",
      comment: "src/webhook delivers what the store holds; it knows no engine, driver, server or CLI.",
      severity: "error",
      from: { path: "^src/webhook/" },
      to: { path: "^src/", pathNot: "^src/(webhook|store|http|clock|domain)/" },
    },
    {
      name: "metrics-observe-only",
      comment: "src/metrics is fed by observers; it imports their event types, never a composition root.",
      severity: "error",
      from: { path: "^src/metrics/" },
      to: { path: "^src/(cli|server|bench|embedded|sim)/" },
    },
    {
      name: "embedded-only-in-composition-roots",
      comment: "The embedded simulator is wired only by the CLI, the server, the benchmarks and the tests.",
      severity: "error",
      from: { path: "^src/", pathNot: `${COMPOSITION_ROOTS}|^src/embedded/` },
      to: { path: "^src/embedded/" },
    },
    {
      name: "embedded-wires-sim-to-driver",
      comment: "src/embedded joins the simulator to a driver; it imports nothing above them.",
      severity: "error",
      from: { path: "^src/embedded/" },
      to: { path: "^src/(cli|server|bench|engine|store|webhook|metrics)/" },
    },
    {
      name: "server-not-on-cli",
      comment: "serve is its own composition root: src/server (and its tests) never import src/cli.",
      severity: "error",
      from: { path: "^(src|test)/server/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "only-cli-and-bench-start-the-server",
      comment: "src/server is imported by the CLI (serve), the benchmarks and tests only.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(cli|server|bench)/" },
      to: { path: "^src/server/" },
    },
    {
      name: "cli-is-top",
      comment: "Nothing in src imports the CLI but the CLI and the benchmarks.",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/(cli|bench)/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "bench-is-a-leaf",
      comment: "src/bench imports every layer to measure it; nothing but its own tests imports src/bench.",
      severity: "error",
      from: { pathNot: "^(src|test)/bench/" },
      to: { path: "^src/bench/" },
    },
    {
      name: "production-code-not-on-tests",
      comment: "src never imports test code.",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^test/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".js", ".json"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
