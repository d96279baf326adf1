import type { Command } from "commander";
import { InputError } from "../../domain/errors.js";
import { parseFaultSpec, parseRate, startSimulator } from "../../sim/server.js";
import type { SimClient, SimOptions } from "../../sim/types.js";

const DEFAULT_CLIENT = "demo:demo-secret";

export interface SimFlags {
  port: string;
  host: string;
  campaigns: string;
  seed: string;
  rateLimit: string;
  tokenTtl: string;
  client: string[];
  faults?: string;
  verbose?: boolean;
}

function wholeNumber(flag: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = /^-?\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new InputError("INVALID_FLAG", `must be a whole number from ${min} to ${max}, got "${raw}"`, flag);
  }
  return value;
}

/** `id:secret`; the secret may itself contain colons. */
function parseClient(raw: string): SimClient {
  const colon = raw.indexOf(":");
  if (colon <= 0 || colon === raw.length - 1) {
    // never echo the value: it holds a secret
    throw new InputError("INVALID_FLAG", "must be id:secret with a non-empty id and secret", "--client");
  }
  return { id: raw.slice(0, colon), secret: raw.slice(colon + 1) };
}

/** Turns the command's flags into simulator options; throws InputError naming the flag at fault. */
export function simOptionsFromFlags(flags: SimFlags): SimOptions {
  const clients = (flags.client.length > 0 ? flags.client : [DEFAULT_CLIENT]).map(parseClient);
  const ids = clients.map((c) => c.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate !== undefined)
    throw new InputError("INVALID_FLAG", `client "${duplicate}" is given twice`, "--client");
  return {
    port: wholeNumber("--port", flags.port, 0, 65535),
    host: flags.host,
    campaigns: wholeNumber("--campaigns", flags.campaigns, 0, 1_000_000),
    seed: wholeNumber("--seed", flags.seed, 0, 0xffffffff),
    rateLimitPerMinute: parseRate(flags.rateLimit),
    tokenTtlSec: wholeNumber("--token-ttl", flags.tokenTtl, 1),
    clients,
    faults: flags.faults === undefined ? {} : parseFaultSpec(flags.faults),
    verbose: flags.verbose === true,
  };
}

function waitForStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

export function registerSim(program: Command): void {
  program
    .command("sim")
    .description("Run the platform simulator (v2 contract) for demos and tests; stops on Ctrl+C or SIGTERM")
    .option("--port <n>", "port to listen on (0 picks a free one)", "8080")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--campaigns <n>", "number of seeded campaigns", "200")
    .option("--seed <n>", "seed for campaigns and faults", "1")
    .option("--rate-limit <rate>", "per-client budget, e.g. 100/min or 10/s", "100/min")
    .option("--token-ttl <sec>", "access token lifetime in seconds", "3600")
    .option(
      "--client <id:secret>",
      `an accepted client; repeatable (default ${DEFAULT_CLIENT})`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .option(
      "--faults <spec>",
      "fault injection, e.g. latency=50,jitter=20,5xx=0.05,5xx-status=503,drop=0.01,editor=0.1,lost=0.02,lost-every=3",
    )
    .option("--verbose", "print one line per request to stderr")
    .action(async (flags: SimFlags) => {
      const options = simOptionsFromFlags(flags);
      const sim = await startSimulator(options);
      const clientIds = (options.clients ?? []).map((c) => c.id);
      const faults = flags.faults?.trim() ? flags.faults.trim() : "none";
      process.stdout.write(
        [
          `dialrules simulator (v2 contract) listening on ${sim.url}`,
          `  campaigns: ${options.campaigns} (seed ${options.seed}) · rate limit: ${flags.rateLimit} per client · token ttl: ${options.tokenTtlSec}s · faults: ${faults}`,
          `  token URL: ${sim.tokenUrl}`,
          `  API base:  ${sim.apiBase}`,
          "Point dialrules at it:",
          `  export CXONE_API_BASE_URL=${sim.apiBase}`,
          `  export CXONE_TOKEN_URL=${sim.tokenUrl}`,
          `  export CXONE_CLIENT_ID=${clientIds[0]}`,
          "  and CXONE_CLIENT_SECRET (or CXONE_CLIENT_SECRET_FILE) set to that client's secret, the one given with",
          `  --client (clients: ${clientIds.join(", ")}; the default client is listed in \`dialrules sim --help\`)`,
          "Press Ctrl+C to stop.",
          "",
        ].join("\n"),
      );
      const signal = await waitForStopSignal();
      await sim.stop();
      process.stdout.write(`simulator stopped (${signal})\n`);
    });
}
