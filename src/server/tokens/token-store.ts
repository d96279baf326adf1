/**
 * API tokens: `drt_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored, so a copy of the
 * database (or a backup) cannot be used to call the API; the token is printed once at creation.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { InputError } from "../../domain/errors.js";
import { type Principal, ROLES, type Role } from "../contract.js";
import type { ServiceDatabase } from "../db.js";
import { canonicalIdentity, displayName } from "./identity.js";

export const TOKEN_PREFIX = "drt_";
/** Longer input is not a token of ours; it is refused before hashing. */
export const MAX_TOKEN_LENGTH = 256;

export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  revokedAt?: string;
}

export const hashToken = (token: string): string => createHash("sha256").update(token).digest("hex");

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,63}$/;

export function createTokenStore(sdb: ServiceDatabase, now: () => number = Date.now) {
  const iso = () => new Date(now()).toISOString();
  return {
    /** Returns the token in clear exactly once, with its stored description. */
    async create(rawName: string, role: string): Promise<{ token: string; info: TokenInfo }> {
      const name = displayName(rawName);
      if (!NAME.test(name)) {
        throw new InputError(
          "token_name_invalid",
          "--name must be 1-64 letters, digits, spaces or . _ @ -, starting with a letter or digit (it is recorded as the actor)",
          "name",
        );
      }
      if (!isRole(role)) {
        throw new InputError("token_role_invalid", `--role must be one of ${ROLES.join(", ")}`, "role");
      }
      // One person, one spelling: a second token for "ops-lead" must not be "Ops-Lead".
      const person = canonicalIdentity(name);
      const rows = await sdb.db
        .selectFrom("api_tokens")
        .select("name")
        .where("revoked_at", "is", null)
        .execute();
      const other = rows.find((r) => canonicalIdentity(r.name) === person && r.name !== name);
      if (other) {
        throw new InputError(
          "token_name_taken",
          `--name "${name}" is the same person as the existing "${other.name}" (names are compared ignoring case and width); use "${other.name}" for another token of that person, or a different name for a different person`,
          "name",
        );
      }
      const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
      const info: TokenInfo = { id: `tok_${randomUUID().slice(0, 8)}`, name, role, createdAt: iso() };
      await sdb.write((trx) =>
        trx
          .insertInto("api_tokens")
          .values({
            id: info.id,
            name,
            role,
            token_hash: hashToken(token),
            created_at: info.createdAt,
            revoked_at: null,
          })
          .execute(),
      );
      return { token, info };
    },

    async list(): Promise<TokenInfo[]> {
      const rows = await sdb.db.selectFrom("api_tokens").selectAll().orderBy("created_at").execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        role: isRole(r.role) ? r.role : "viewer",
        createdAt: r.created_at,
        ...(r.revoked_at ? { revokedAt: r.revoked_at } : {}),
      }));
    },

    /** False when no such (unrevoked) token exists. */
    async revoke(id: string): Promise<boolean> {
      const result = await sdb.write((trx) =>
        trx
          .updateTable("api_tokens")
          .set({ revoked_at: iso() })
          .where("id", "=", id)
          .where("revoked_at", "is", null)
          .executeTakeFirst(),
      );
      return Number(result.numUpdatedRows) > 0;
    },

    async authenticate(token: string): Promise<Principal | undefined> {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !token.startsWith(TOKEN_PREFIX)) {
        return undefined;
      }
      // A lookup by hash: equal hashes are the only match, so timing reveals nothing about stored tokens.
      const row = await sdb.db
        .selectFrom("api_tokens")
        .select(["id", "name", "role"])
        .where("token_hash", "=", hashToken(token))
        .where("revoked_at", "is", null)
        .executeTakeFirst();
      if (!row || !isRole(row.role)) return undefined;
      return {
        actor: displayName(row.name),
        person: canonicalIdentity(row.name),
        role: row.role,
        tokenId: row.id,
      };
    },
  };
}

export type TokenStore = ReturnType<typeof createTokenStore>;
