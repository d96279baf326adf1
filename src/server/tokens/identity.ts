/**
 * Who a token speaks for. Token names are people: "ops-lead", " Ops-Lead " and "ＯＰＳ-ＬＥＡＤ" (full-width) are
 * one person, so four-eyes compares this canonical form, never the raw name or the token.
 */

/** How a name is shown and stored: Unicode NFKC, no surrounding white space. */
export const displayName = (name: string): string => name.normalize("NFKC").trim();

/** The person: the display name case-folded (full folding: "ß" and "SS" are one person). */
export const canonicalIdentity = (name: string): string =>
  displayName(name).toUpperCase().toLowerCase().normalize("NFKC");
