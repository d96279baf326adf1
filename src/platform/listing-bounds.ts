/**
 * How far a campaign listing may page. A platform's `total` is only believed up to a hard cap: a server
 * answering `total: 1e12` (a bug, a proxy, an attacker) would otherwise keep `plan` and `serve` paging for
 * ever. The first page's figures bound the loop; past the cap the listing stops with a clear error.
 */
import { PlatformError } from "./errors.js";

/** More campaigns than any contact center we know of runs; a listing past it is refused. */
export const MAX_LISTED_CAMPAIGNS = 100_000;

export class ListingTooLargeError extends PlatformError {
  constructor(what: string) {
    super(
      "PLATFORM_LISTING_TOO_LARGE",
      `the platform ${what}, more than the ${MAX_LISTED_CAMPAIGNS.toLocaleString("en-US")} campaigns dialrules reads in one listing; nothing was planned. Check the platform URL and the account's permissions`,
    );
  }
}

/** Pages to read after the first one said `total` at `pageSize` per page; throws past the cap. */
export function lastPageFor(total: number, pageSize: number): number {
  if (!Number.isFinite(total) || total > MAX_LISTED_CAMPAIGNS)
    throw new ListingTooLargeError(`says it has ${total} campaigns`);
  return Math.max(1, Math.ceil(total / Math.max(1, pageSize)));
}
