/** One size limit for every body the server reads (API JSON and dashboard forms alike). */
export const BODY_LIMIT_BYTES = 256 * 1024;
/** The rules text of one change request, in characters, whichever view sent it. */
export const MAX_RULES_TEXT = 200_000;
