#!/usr/bin/env node
import { Command } from "commander";
import { registerApply } from "./commands/apply.js";
import { registerAudit } from "./commands/audit.js";
import { registerDemo } from "./commands/demo.js";
import { registerExport } from "./commands/export.js";
import { registerPlan } from "./commands/plan.js";
import { registerServe } from "./commands/serve.js";
import { registerSim } from "./commands/sim.js";
import { registerTokens } from "./commands/tokens.js";
import { registerValidate } from "./commands/validate.js";
import { registerWebhooks } from "./commands/webhooks.js";
import { EXIT, runMain } from "./exit.js";

const program = new Command()
  .name("dialrules")
  .description("Change the dialing rules of outbound campaigns safely, compliantly and with an audit trail.")
  .version("0.1.0")
  .showHelpAfterError()
  .exitOverride();

for (const register of [
  registerValidate,
  registerPlan,
  registerApply,
  registerExport,
  registerDemo,
  registerSim,
  registerAudit,
  registerWebhooks,
  registerServe,
  registerTokens,
]) {
  register(program);
}

await runMain(async () => {
  await program.parseAsync(process.argv);
  return EXIT.ok;
});
