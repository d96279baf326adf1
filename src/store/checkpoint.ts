/**
 * Signed checkpoints of the audit chain: Ed25519 (node:crypto) over the canonical JSON of
 * {format, seq, headHash, time, keyId, algorithm}. A checkpoint held outside the database (a file, a webhook
 * receiver) lets a verifier with the trusted public key detect a truncated tail, a rewritten record whose
 * later hashes were recomputed, or a checkpoint that was forged — things the chain alone cannot show to
 * someone who can write the database.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";
import type { SignedCheckpoint } from "../domain/audit-record.js";
import { InputError } from "../domain/errors.js";
import { canonicalJson } from "./canonical.js";
import type { CheckpointSigner } from "./types.js";

export const CHECKPOINT_FORMAT = "dialrules-checkpoint/1";

/** The key id: the first 32 hex digits of SHA-256 over the public key's DER (SPKI) encoding. */
export function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(der).digest("hex").slice(0, 32);
}

function requireEd25519(key: KeyObject, what: string): void {
  if (key.asymmetricKeyType !== "ed25519") {
    throw new InputError(
      "AUDIT_KEY_TYPE",
      `${what} is a ${key.asymmetricKeyType ?? "symmetric"} key; audit checkpoints need Ed25519 (openssl genpkey -algorithm ed25519)`,
    );
  }
}

/** A signer from a PEM private key (DIALRULES_AUDIT_KEY_FILE). The key never leaves this closure. */
export function signerFromPem(pem: string, source = "the audit key"): CheckpointSigner {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch {
    throw new InputError(
      "AUDIT_KEY_UNREADABLE",
      `${source} is not a PEM private key; make one with: openssl genpkey -algorithm ed25519 -out audit-key.pem`,
    );
  }
  requireEd25519(privateKey, source);
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  const publicDer = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  return {
    keyId,
    sign(body) {
      const signed = { ...body, keyId };
      const signature = sign(null, Buffer.from(canonicalJson(signed)), privateKey).toString("base64");
      return { ...signed, signature, publicKey: publicDer };
    },
  };
}

/** The trusted public key from PEM (a public key, or a private key whose public half is taken). */
export function publicKeyFromPem(pem: string, source = "the public key"): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new InputError(
      "AUDIT_PUBLIC_KEY_UNREADABLE",
      `${source} is not a PEM public key; export it with: openssl pkey -in audit-key.pem -pubout -out audit-key.pub`,
    );
  }
  requireEd25519(key, source);
  return key;
}

const signedPart = (cp: SignedCheckpoint) => ({
  format: cp.format,
  seq: cp.seq,
  headHash: cp.headHash,
  time: cp.time,
  keyId: cp.keyId,
  algorithm: cp.algorithm,
});

/**
 * Checks a checkpoint's signature: against the trusted key when given (its id must match), otherwise against
 * the key the checkpoint carries (which shows it was not altered, not who signed it). Returns the problem, or
 * null when it verifies.
 */
export function checkpointProblem(cp: SignedCheckpoint, trustedKey?: KeyObject): string | null {
  if (cp.format !== CHECKPOINT_FORMAT || cp.algorithm !== "Ed25519") {
    return `is not a ${CHECKPOINT_FORMAT} Ed25519 checkpoint`;
  }
  if (!Number.isInteger(cp.seq) || typeof cp.headHash !== "string" || typeof cp.signature !== "string") {
    return "lacks seq, headHash or signature";
  }
  let key: KeyObject;
  if (trustedKey) {
    const trustedId = keyIdOf(trustedKey);
    if (cp.keyId !== trustedId) {
      return `names key ${cp.keyId}, not the trusted key ${trustedId}`;
    }
    key = trustedKey;
  } else {
    try {
      key = createPublicKey({ key: Buffer.from(cp.publicKey, "base64"), format: "der", type: "spki" });
    } catch {
      return "carries an unreadable public key";
    }
    if (keyIdOf(key) !== cp.keyId) return `carries a public key that is not key ${cp.keyId}`;
  }
  const ok = verify(
    null,
    Buffer.from(canonicalJson(signedPart(cp))),
    key,
    Buffer.from(cp.signature, "base64"),
  );
  return ok ? null : `has a signature that does not verify with key ${cp.keyId}`;
}

/** Parses a checkpoint file (what `audit checkpoint -o FILE` wrote, or a webhook's `data.checkpoint`). */
export function parseCheckpoint(text: string, source: string): SignedCheckpoint {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InputError("AUDIT_CHECKPOINT_UNREADABLE", `${source} is not JSON: ${(err as Error).message}`);
  }
  // A webhook delivery body (or its data) holds the checkpoint inside the record.
  const obj = parsed as { data?: { checkpoint?: unknown }; checkpoint?: unknown };
  const candidate = obj?.data?.checkpoint ?? obj?.checkpoint ?? parsed;
  const cp = candidate as Partial<SignedCheckpoint> | null;
  if (cp === null || typeof cp !== "object" || cp.format !== CHECKPOINT_FORMAT) {
    throw new InputError(
      "AUDIT_CHECKPOINT_FORMAT",
      `${source} is not a ${CHECKPOINT_FORMAT} checkpoint (make one with \`dialrules audit checkpoint -o FILE\`)`,
    );
  }
  return cp as SignedCheckpoint;
}
