#!/usr/bin/env node
import { Command } from "commander";
import { EXIT, quietOnClosedPipe, runMain } from "./exit.js";

type Register = (program: Command) => void;

/**
 * Each command's module is imported only when that command runs: the modules pull in the HTTP stack, the
 * database drivers, fastify…, and loading all of them costs most of a short command's run time.
 * Help, version and unknown words load them all so the full command list is shown.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import("./commands/validate.js")).registerValidate,
  plan: async () => (await import("./commands/plan.js")).registerPlan,
  apply: async () => (await import("./commands/apply.js")).registerApply,
  export: async () => (await import("./commands/export.js")).registerExport,
  demo: async () => (await import("./commands/demo.js")).registerDemo,
  sim: async () => (await import("./commands/sim.js")).registerSim,
  audit: async () => (await import("./commands/audit.js")).registerAudit,
  db: async () => (await import("./commands/db.js")).registerDb,
  history: async () => (await import("./commands/history.js")).registerHistory,
  revert: async () => (await import("./commands/revert.js")).registerRevert,
  show: async () => (await import("./commands/show.js")).registerShow,
  webhooks: async () => (await import("./commands/webhooks.js")).registerWebhooks,
  serve: async () => (await import("./commands/serve.js")).registerServe,
  tokens: async () => (await import("./commands/tokens.js")).registerTokens,
};

quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);

const program = new Command()
  .name("dialrules")
  .description("change the dialing rules of outbound campaigns safely, compliantly and with an audit trail")
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride();

const first = process.argv[2];
const wanted = first !== undefined && Object.hasOwn(COMMANDS, first) ? [first] : Object.keys(COMMANDS);
for (const name of wanted) {
  const load = COMMANDS[name];
  if (load) (await load())(program);
}

await runMain(async () => {
  await program.parseAsync(process.argv);
  return EXIT.ok;
});
