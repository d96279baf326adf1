/**
 * Audit signing configuration: DIALRULES_AUDIT_KEY_FILE (PEM Ed25519 private key) signs checkpoints;
 * --public-key / DIALRULES_AUDIT_PUBLIC_KEY_FILE is the key a verifier trusts. Without a private key nothing
 * is signed and the CLI says so: an unsigned "checkpoint" would only repeat what the database already claims.
 */
import type { KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import type { SignedCheckpoint } from "../domain/audit-record.js";
import { InputError } from "../domain/errors.js";
import { publicKeyFromPem, signerFromPem } from "../store/checkpoint.js";
import type { CheckpointSigner, Store } from "../store/types.js";

function readKeyFile(path: string, what: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError(
      "AUDIT_KEY_UNREADABLE",
      `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** The checkpoint signer, or undefined when DIALRULES_AUDIT_KEY_FILE is not set. */
export function auditSigner(env: NodeJS.ProcessEnv = process.env): CheckpointSigner | undefined {
  const file = env.DIALRULES_AUDIT_KEY_FILE?.trim();
  if (!file) return undefined;
  return signerFromPem(readKeyFile(file, "DIALRULES_AUDIT_KEY_FILE"), `DIALRULES_AUDIT_KEY_FILE (${file})`);
}

/**
 * The key a verifier trusts: --public-key, else DIALRULES_AUDIT_PUBLIC_KEY_FILE, else the public half of
 * DIALRULES_AUDIT_KEY_FILE; undefined when none is configured.
 */
export function trustedPublicKey(flag: string | undefined, env: NodeJS.ProcessEnv): KeyObject | undefined {
  const [file, source] = flag
    ? [flag, "--public-key"]
    : env.DIALRULES_AUDIT_PUBLIC_KEY_FILE?.trim()
      ? [env.DIALRULES_AUDIT_PUBLIC_KEY_FILE.trim(), "DIALRULES_AUDIT_PUBLIC_KEY_FILE"]
      : env.DIALRULES_AUDIT_KEY_FILE?.trim()
        ? [env.DIALRULES_AUDIT_KEY_FILE.trim(), "DIALRULES_AUDIT_KEY_FILE"]
        : [undefined, ""];
  if (!file) return undefined;
  return publicKeyFromPem(readKeyFile(file, source), `${source} (${file})`);
}

export const NO_KEY_NOTICE =
  "Audit: no checkpoint signed (DIALRULES_AUDIT_KEY_FILE is not set): nothing outside this database vouches " +
  "for the trail, so someone who can write the database could rewrite or truncate it unnoticed. See docs/audit.md.\n";

/**
 * Ends a run with a signed checkpoint of the chain (stored as a record and queued as an `audit.checkpoint`
 * webhook), or says clearly that none was signed.
 */
export async function checkpointRun(
  store: Store,
  signer: CheckpointSigner | undefined,
  by: { runId: string; actor: string; platform?: string },
  err: (text: string) => void,
): Promise<SignedCheckpoint | null> {
  if (!signer) {
    err(NO_KEY_NOTICE);
    return null;
  }
  const cp = await store.audit.checkpoint(signer, by);
  if (cp) err(`Audit: checkpoint signed at seq ${cp.seq} (key ${cp.keyId}).\n`);
  return cp;
}
