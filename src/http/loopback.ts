/** Hosts that never leave this machine: the only ones plain http:// is allowed for (simulator, test receivers). */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export const isLoopbackHost = (hostname: string): boolean => LOOPBACK.has(hostname.toLowerCase());
