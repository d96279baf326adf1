import { randomBytes } from "node:crypto";
import type { Clock } from "../clock/clock.js";
import type { SimClient } from "./types.js";

export const V2_SCOPES = [
  "outbound:campaign:read",
  "outbound:campaign:write",
  "outbound:rules:write",
] as const;

export interface IssuedToken {
  clientId: string;
  scopes: string[];
  expiresAt: number;
}

export interface ClaimedCredentials {
  clientId: string;
  secret: string;
}

/** `application/x-www-form-urlencoded` decoding (RFC 6749 2.3.1): `+` is a space, then percent-decoding. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Reads `Authorization: Basic …`; undefined when absent, "malformed" when present but unreadable. */
export function parseBasicAuth(header: string | undefined): ClaimedCredentials | "malformed" | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!match?.[1]) return "malformed";
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return "malformed";
  const clientId = formDecode(decoded.slice(0, colon));
  const secret = formDecode(decoded.slice(colon + 1));
  if (clientId === undefined || secret === undefined) return "malformed";
  return { clientId, secret };
}

/** Opaque bearer tokens with expiry on the injected clock; counts issues per client for single-flight tests. */
export class TokenStore {
  private readonly tokens = new Map<string, IssuedToken>();
  private readonly issued = new Map<string, number>();

  constructor(
    private readonly clients: readonly SimClient[],
    private readonly ttlSec: number,
    private readonly clock: Clock,
  ) {}

  findClient(clientId: string): SimClient | undefined {
    return this.clients.find((c) => c.id === clientId);
  }

  authenticate(credentials: ClaimedCredentials): SimClient | undefined {
    const client = this.findClient(credentials.clientId);
    return client && client.secret === credentials.secret ? client : undefined;
  }

  allowedScopes(client: SimClient): readonly string[] {
    return client.scopes ?? V2_SCOPES;
  }

  issue(client: SimClient, scopes: string[]): { token: string; expiresIn: number } {
    const token = randomBytes(24).toString("base64url");
    this.tokens.set(token, { clientId: client.id, scopes, expiresAt: this.clock.now() + this.ttlSec * 1000 });
    this.issued.set(client.id, (this.issued.get(client.id) ?? 0) + 1);
    return { token, expiresIn: this.ttlSec };
  }

  /** The token's record even when expired (the rate limiter still knows whose request it is). */
  lookup(token: string): IssuedToken | undefined {
    return this.tokens.get(token);
  }

  isLive(record: IssuedToken): boolean {
    return this.clock.now() < record.expiresAt;
  }

  issuedCount(clientId?: string): number {
    if (clientId !== undefined) return this.issued.get(clientId) ?? 0;
    let total = 0;
    for (const count of this.issued.values()) total += count;
    return total;
  }

  revokeAll(): void {
    this.tokens.clear();
  }
}
