/** Reading reply bodies without trusting their size or their syntax. */

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The reply was bigger than we are willing to hold in memory. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`response body exceeds ${limit} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/**
 * Reads the whole body, stopping (and cancelling the stream, which closes the connection) as soon as it
 * exceeds `limit`, so a misbehaving server cannot make us buffer an unbounded reply.
 */
export async function readBodyLimited(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => {});
    throw new BodyTooLargeError(limit);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** The reply was not the JSON it claimed to be. */
export class MalformedJsonError extends Error {
  constructor(detail: string) {
    super(`response body is not valid JSON (${detail})`);
    this.name = "MalformedJsonError";
  }
}

/** Parses a JSON body; an empty body is `undefined`. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new MalformedJsonError(err instanceof Error ? err.message : String(err));
  }
}
