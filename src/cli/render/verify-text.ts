import type { VerifyResult } from "../../store/types.js";

/** `audit verify` in words: the chain, the stored checkpoints, the outside checkpoint; or what broke. */
export function renderVerifyText(result: VerifyResult): { out: string; note?: string } {
  if (!result.ok) {
    const b = result.firstBroken;
    const where = b.id ? `chain BROKEN at record seq ${b.seq} (id ${b.id})` : "audit trail BROKEN";
    const before = b.id ? `${result.count} record(s) before it verified.\n` : "";
    return { out: `${where}: ${b.problem}\n${before}` };
  }
  let out = `${result.count} records, chain intact\n`;
  const cp = result.checkpoints;
  if (cp && cp.stored > 0) {
    const how = cp.trustedKey
      ? "with the trusted key"
      : "with the key each carries (pass --public-key to check it is yours)";
    out += `${cp.stored} signed checkpoint(s) verified ${how}; the newest covers seq ${cp.newestSeq}\n`;
  }
  if (cp?.external) {
    out += `checkpoint of seq ${cp.external.seq} signed ${cp.external.time} by key ${cp.external.keyId}: the chain reaches it and holds the head it signed\n`;
  }
  const note =
    cp && (cp.stored > 0 || cp.external)
      ? undefined
      : "note: no signed checkpoints: nothing outside the database vouches for this chain (set DIALRULES_AUDIT_KEY_FILE; see docs/audit.md)\n";
  return { out, ...(note ? { note } : {}) };
}
