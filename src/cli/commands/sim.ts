import type { Command } from "commander";
import { InputError } from "../../domain/errors.js";
import type { CxoneSimHandle, CxoneSimOptions } from "../../sim/cxone/types.js";
import type { GenesysSimHandle, GenesysSimOptions } from "../../sim/genesys/types.js";
import { parseFaultSpec, parseRate, startSimulator } from "../../sim/server.js";
import type { SimClient, SimOptions } from "../../sim/types.js";
import { SERVE_PORT, SIM_PORT } from "../options.js";

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
  mode?: string;
  /** cxone mode: an access key (id:secret) the token endpoint accepts; repeatable. */
  accessKey?: string[];
}

const DEFAULT_ACCESS_KEY = "demo-key:demo-key-secret";

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

/** `--mode cxone`: the same flags, skills instead of campaigns, plus access keys. */
export function cxoneSimOptionsFromFlags(flags: SimFlags): CxoneSimOptions {
  const { campaigns, ...common } = simOptionsFromFlags(flags);
  const accessKeys = (
    flags.accessKey && flags.accessKey.length > 0 ? flags.accessKey : [DEFAULT_ACCESS_KEY]
  ).map(parseClient);
  return { ...common, mode: "cxone", skills: campaigns, accessKeys };
}

function cxoneBanner(sim: CxoneSimHandle, options: CxoneSimOptions, flags: SimFlags): string {
  const clientIds = (options.clients ?? []).map((c) => c.id);
  const keyIds = (options.accessKeys ?? []).map((k) => k.id);
  return [
    `dialrules simulator (NICE CXone mode) listening on ${sim.url}`,
    `  skills: ${options.skills} (seed ${options.seed}) · rate limit: ${flags.rateLimit} per access key, 429 without Retry-After · token ttl: ${options.tokenTtlSec}s`,
    `  discovery: ${sim.url}/.well-known/openid-configuration and /.well-known/cxone-configuration?tenantId=${sim.tenantId}`,
    "Point dialrules at it (--platform cxone, or DIALRULES_PLATFORM=cxone):",
    "  export DIALRULES_PLATFORM=cxone",
    `  export CXONE_DISCOVERY_URL=${sim.url}`,
    `  export CXONE_TENANT_ID=${sim.tenantId}`,
    `  export CXONE_CLIENT_ID=${clientIds[0]}`,
    `  export CXONE_ACCESS_KEY_ID=${keyIds[0]}`,
    "  and CXONE_CLIENT_SECRET and CXONE_ACCESS_KEY_SECRET (or their _FILE variants) set to the secrets given",
    `  with --client and --access-key (clients: ${clientIds.join(", ")}; keys: ${keyIds.join(", ")}; defaults in \`dialrules sim --help\`)`,
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
}

/** `--mode genesys`: the same flags; the seeded campaigns include agentless and external ones. */
export function genesysSimOptionsFromFlags(flags: SimFlags): GenesysSimOptions {
  return { ...simOptionsFromFlags(flags), mode: "genesys" };
}

function genesysBanner(sim: GenesysSimHandle, options: GenesysSimOptions, flags: SimFlags): string {
  const clientIds = (options.clients ?? []).map((c) => c.id);
  const faults = flags.faults?.trim() ? flags.faults.trim() : "none";
  return [
    `dialrules simulator (Genesys Cloud mode) listening on ${sim.url}`,
    `  campaigns: ${options.campaigns} (seed ${options.seed}) · rate limit: ${flags.rateLimit} per client, 429 with Retry-After and inin-ratelimit-* headers · faults: ${faults}`,
    "Point dialrules at it (--platform genesys, or DIALRULES_PLATFORM=genesys):",
    "  export DIALRULES_PLATFORM=genesys",
    `  export GENESYS_API_BASE_URL=${sim.apiBaseUrl}`,
    `  export GENESYS_TOKEN_URL=${sim.tokenUrl}`,
    `  export GENESYS_CLIENT_ID=${clientIds[0]}`,
    "  and GENESYS_CLIENT_SECRET (or GENESYS_CLIENT_SECRET_FILE) set to that client's secret, the one given with",
    `  --client (clients: ${clientIds.join(", ")}; the default client is listed in \`dialrules sim --help\`)`,
    "Press Ctrl+C to stop.",
    "",
  ].join("\n");
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
    .description(
      "run the platform simulator (v2 contract, NICE CXone with --mode cxone, Genesys Cloud with --mode genesys) for demos and tests; stops on Ctrl+C or SIGTERM",
    )
    .option(
      "--port <n>",
      `port to listen on (0 picks a free one); not ${SERVE_PORT}, which is \`serve\`'s`,
      String(SIM_PORT),
    )
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
    .option(
      "--mode <mode>",
      "API to speak: v2 (the tutorial contract), cxone (NICE CXone Admin API) or genesys (Genesys Cloud outbound API)",
      "v2",
    )
    .option(
      "--access-key <id:secret>",
      `cxone mode: an accepted access key; repeatable (default ${DEFAULT_ACCESS_KEY})`,
      (value: string, previous: string[]) => [...previous, value],
      [],
    )
    .action(async (flags: SimFlags) => {
      if (flags.mode !== undefined && !["v2", "cxone", "genesys"].includes(flags.mode)) {
        throw new InputError("INVALID_FLAG", `must be v2, cxone or genesys, got "${flags.mode}"`, "--mode");
      }
      if (flags.mode === "genesys") {
        const genesysOptions = genesysSimOptionsFromFlags(flags);
        const genesys = await startSimulator(genesysOptions);
        process.stdout.write(genesysBanner(genesys, genesysOptions, flags));
        const stopped = await waitForStopSignal();
        await genesys.stop();
        process.stdout.write(`simulator stopped (${stopped})\n`);
        return;
      }
      if (flags.mode === "cxone") {
        const cxoneOptions = cxoneSimOptionsFromFlags(flags);
        const cxone = await startSimulator(cxoneOptions);
        process.stdout.write(cxoneBanner(cxone, cxoneOptions, flags));
        const stopped = await waitForStopSignal();
        await cxone.stop();
        process.stdout.write(`simulator stopped (${stopped})\n`);
        return;
      }
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
          `  export DIALRULES_V2_API_BASE_URL=${sim.apiBase}`,
          `  export DIALRULES_V2_TOKEN_URL=${sim.tokenUrl}`,
          `  export DIALRULES_V2_CLIENT_ID=${clientIds[0]}`,
          "  and DIALRULES_V2_CLIENT_SECRET (or DIALRULES_V2_CLIENT_SECRET_FILE) set to that client's secret, the one given with",
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
