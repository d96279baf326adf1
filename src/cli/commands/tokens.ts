/** `dialrules tokens create | list | revoke`: API tokens of `dialrules serve`, stored as SHA-256 hashes only. */
import type { Command } from "commander";
import { Option } from "commander";
import { InputError } from "../../domain/errors.js";
import { ROLES } from "../../server/contract.js";
import { openServiceDatabase } from "../../server/db.js";
import { createTokenStore, type TokenStore } from "../../server/tokens/token-store.js";
import { databaseOptions } from "../../store/open-store.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption, formatOption } from "../options.js";
import { type CommandIo, processIo } from "./audit.js";

async function withTokens<T>(
  database: string | undefined,
  io: CommandIo,
  fn: (t: TokenStore) => Promise<T>,
): Promise<T> {
  const sdb = await openServiceDatabase({
    ...databaseOptions(database, io.env),
    poolSize: 1,
  });
  try {
    return await fn(createTokenStore(sdb));
  } finally {
    await sdb.close();
  }
}

export function registerTokens(program: Command, io: CommandIo = processIo()): void {
  const tokens = program
    .command("tokens")
    .description("create, list and revoke API tokens of `dialrules serve`");

  tokens
    .command("create")
    .description("create a token; it is printed once and only its SHA-256 is stored")
    .requiredOption("--name <name>", "who uses it; recorded as the actor of their changes")
    .addOption(
      new Option("--role <role>", "viewer reads; operator requests and applies; approver also approves")
        .choices([...ROLES])
        .makeOptionMandatory(),
    )
    .addOption(formatOption())
    .addOption(databaseOption())
    .action(async (opts: { name: string; role: string; format: "text" | "json"; database?: string }) => {
      const { token, info } = await withTokens(opts.database, io, (t) => t.create(opts.name, opts.role));
      if (opts.format === "json") io.out(`${JSON.stringify({ ...info, token })}\n`);
      else {
        io.out(`${token}\n`);
        io.err(
          `token ${info.id} for ${info.name} (${info.role}) created. It is shown only now: store it in a secret manager.\n`,
        );
      }
      setExitCode(EXIT.ok);
    });

  tokens
    .command("list")
    .description("list tokens (never their values)")
    .addOption(formatOption())
    .addOption(databaseOption())
    .action(async (opts: { format: "text" | "json"; database?: string }) => {
      const list = await withTokens(opts.database, io, (t) => t.list());
      if (opts.format === "json") io.out(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0)
        io.out(
          "No tokens. Create one with: dialrules tokens create --name NAME --role viewer|operator|approver\n",
        );
      else {
        for (const t of list) {
          io.out(
            `${t.id}  ${t.role.padEnd(8)}  ${t.name}  created ${t.createdAt}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ""}\n`,
          );
        }
      }
      setExitCode(EXIT.ok);
    });

  tokens
    .command("revoke")
    .description("revoke a token: every replica refuses it from its next request")
    .argument("<id>", "token id (tok_…), see `dialrules tokens list`")
    .addOption(databaseOption())
    .action(async (id: string, opts: { database?: string }) => {
      const ok = await withTokens(opts.database, io, (t) => t.revoke(id));
      if (!ok) throw new InputError("TOKEN_UNKNOWN", `no active token ${id}; see "dialrules tokens list"`);
      io.out(`${id} revoked\n`);
      setExitCode(EXIT.ok);
    });
}
