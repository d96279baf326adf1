/**
 * Each driver's offline storage limits (`dialrules validate --platform NAME`): the same writable fields and
 * value checks its `plan` uses, without a connection. A platform absent here stores every value it accepts.
 */
import type { StorageLimits } from "../domain/storage-limits.js";
import { CXONE_WRITABLE_FIELDS, cannotStoreOnCxone } from "./cxone/mapping.js";

export const STORAGE_LIMITS: Readonly<Record<string, StorageLimits>> = {
  cxone: { platform: "cxone", writableFields: CXONE_WRITABLE_FIELDS, cannotStore: cannotStoreOnCxone },
};
