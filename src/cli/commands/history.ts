/** `dialrules history ID`: every recorded change of one campaign, oldest first. */
import type { Command } from "commander";
import { isCampaignOutcome } from "../../domain/audit-record.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption, formatOption, outputFileOption } from "../options.js";
import { recordsCsv, renderHistoryText } from "../render/trail.js";
import { type CommandIo, emit, processIo, withStore } from "./audit.js";

export function registerHistory(program: Command, io: CommandIo = processIo()): void {
  program
    .command("history")
    .description(
      "every recorded change of one campaign, oldest first: before → after, actor, requester and approvers, run, outcome",
    )
    .argument("<id>", "campaign id")
    .addOption(formatOption(["text", "json", "csv"]))
    .addOption(outputFileOption())
    .addOption(databaseOption())
    .action(
      async (id: string, opts: { format: "text" | "json" | "csv"; output?: string; database?: string }) => {
        const records = (
          await withStore(opts.database, io, (store) => store.audit.list({ campaignId: id }))
        ).filter((r) => isCampaignOutcome(r.outcome));
        const text =
          opts.format === "json"
            ? `${JSON.stringify(records, null, 2)}\n`
            : opts.format === "csv"
              ? recordsCsv(records)
              : renderHistoryText(id, records);
        emit(io, text, opts.output);
        setExitCode(EXIT.ok);
      },
    );
}
