/**
 * `dialrules serve`: the HTTP API and dashboard. One replica per process; several replicas share work through
 * PostgreSQL (see docs/service.md). Without a configured platform it runs against an embedded simulator.
 */
import type { Command } from "commander";
import { Option } from "commander";
import type { FastifyInstance } from "fastify";
import { InputError } from "../../domain/errors.js";
import { openPlatform } from "../../platform/factory.js";
import { buildServer } from "../../server/app.js";
import { dashboardPlugin } from "../../server/dashboard/plugin.js";
import { defaultReplicaId, startRuntime } from "../../server/runtime.js";
import { databaseOptions } from "../../store/open-store.js";
import { auditSigner } from "../audit-key.js";
import { EXIT, setExitCode } from "../exit.js";
import { databaseOption, loadRulesFile, platformOption, SERVE_PORT } from "../options.js";
import { knownSecrets } from "../run-wiring.js";
import { type CommandIo, processIo } from "./audit.js";

interface ServeFlags {
  port: string;
  host: string;
  database?: string;
  platform?: string;
  replicaId?: string;
  policy?: string;
  campaigns: string;
  trustProxy?: boolean;
}

function port(raw: string): number {
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 0 && n <= 65535))
    throw new InputError("INVALID_FLAG", `must be a port from 0 to 65535, got "${raw}"`, "--port");
  return n;
}

export function registerServe(program: Command, io: CommandIo = processIo()): void {
  program
    .command("serve")
    .description("run the HTTP API and web dashboard (an embedded simulator when no platform is configured)")
    .option("--port <port>", "port to listen on (0 picks a free one)", String(SERVE_PORT))
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(databaseOption())
    .addOption(platformOption())
    .option("--replica-id <name>", "this replica's name in job records and metrics (default host-pid)")
    .option(
      "--policy <rules-file>",
      "the floor every change is held to: profiles, licence tier and limits (default $DIALRULES_POLICY_FILE; required against a real platform)",
    )
    .addOption(new Option("--campaigns <n>", "seeded campaigns of the embedded simulator").default("200"))
    .option(
      "--trust-proxy",
      "behind a TLS-terminating proxy: trust X-Forwarded-Proto/-For (dashboard cookies become Secure, __Host-)",
    )
    .action(async (flags: ServeFlags) => {
      const listenPort = port(flags.port);
      const policyFile = flags.policy ?? (io.env.DIALRULES_POLICY_FILE?.trim() || undefined);
      const policy = policyFile ? (await loadRulesFile(policyFile)).file : undefined;
      const log = (line: string) => io.err(`${new Date().toISOString()} ${line}\n`);
      // A bad key file stops the server before it listens; every apply job ends with a signed checkpoint.
      const signer = auditSigner(io.env);
      const runtime = await startRuntime({
        ...databaseOptions(flags.database, io.env),
        env: io.env,
        platformName: flags.platform,
        openPlatform: (name, wiring) => openPlatform(name, wiring),
        replica: flags.replicaId ?? defaultReplicaId(),
        secrets: knownSecrets(io.env),
        policy,
        ...(signer ? { signer } : {}),
        embeddedCampaigns: Number(flags.campaigns),
        log,
      });
      let app: FastifyInstance;
      try {
        app = await buildServer(runtime.services, {
          plugins: [async (instance) => instance.register(dashboardPlugin, { services: runtime.services })],
          log,
          trustProxy: flags.trustProxy === true,
          // Access logs (fastify's pino) on stderr, so stdout keeps the one machine-readable line. Request
          // headers are not logged by default; the redaction guards against a future serializer change.
          logger: {
            level: io.env.DIALRULES_LOG_LEVEL ?? "info",
            stream: process.stderr,
            redact: {
              paths: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
              censor: "<redacted>",
            },
          },
        });
        await app.listen({ port: listenPort, host: flags.host });
      } catch (err) {
        await runtime.close();
        throw err;
      }
      const address = app.server.address();
      const url =
        address && typeof address === "object"
          ? `http://${flags.host.includes(":") ? `[${flags.host}]` : flags.host}:${address.port}`
          : flags.host;
      const info = runtime.info;
      io.err(
        `dialrules serve listening on ${url} (replica ${info.replica}, ${info.database} database, platform ${info.platform})\n` +
          `  API: ${url}/api/v1 · OpenAPI: ${url}/openapi.json · dashboard: ${url}/ · metrics: ${url}/metrics\n` +
          (info.banner ? `  ${info.banner}\n` : "") +
          (signer
            ? `  Audit: every apply job ends with a checkpoint signed by key ${signer.keyId}.\n`
            : "  Audit: apply jobs end with no signed checkpoint (DIALRULES_AUDIT_KEY_FILE is not set). See docs/audit.md.\n") +
          `  Tokens: dialrules tokens create --name NAME --role viewer|operator|approver${flags.database ? ` --database ${flags.database}` : ""}\n`,
      );
      // Machine-readable line for scripts and tests that start it with --port 0.
      io.out(`${JSON.stringify({ listening: url, replica: info.replica })}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      io.err(
        "stopping: finishing the writes in flight; queued work stays for the next start or another replica\n",
      );
      await app.close();
      await runtime.close();
      setExitCode(EXIT.ok);
    });
}
