/** `dialrules db grant --role NAME`: PostgreSQL role separation for the audit trail (docs/audit.md). */
import type { Command } from "commander";
import { databaseOptions, grantApplicationAccess } from "../../store/open-store.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption } from "../options.js";
import { type CommandIo, processIo } from "./audit.js";

export function registerDb(program: Command, io: CommandIo = processIo()): void {
  const db = program.command("db").description("database administration (PostgreSQL role separation)");
  db.command("grant")
    .description(
      "run as the owner role (the one that migrates and owns the tables): give the application role INSERT and SELECT only on the audit table, and what it needs on the working tables",
    )
    .requiredOption("--role <name>", "the application role (it must exist: CREATE ROLE name LOGIN …)")
    .addOption(databaseOption())
    .action(async (opts: { role: string; database?: string }) => {
      const statements = await grantApplicationAccess(databaseOptions(opts.database, io.env), opts.role);
      io.out(`${statements.map((s) => `${s};`).join("\n")}\n`);
      io.err(`Granted ${opts.role}: INSERT and SELECT only on audit.\n`);
      setExitCode(EXIT.ok);
    });
}
