/** The drivers `openPlatform` (factory.ts) knows, without loading any of them (the CLI's --platform choices). */
export const PLATFORM_NAMES = ["v2", "cxone", "genesys"] as const;
