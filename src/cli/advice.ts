/**
 * What a person at the command line can do about an error, by its code. The platform contract's errors do
 * not know the CLI's flags and variables; the CLI adds them when it shows the error.
 */
function cliAdvice(code: string): string | undefined {
  if (code === "PLATFORM_RATE_LIMITED")
    return "Lower --concurrency or --rate-limit (the platform's *_RATE_LIMIT variable).";
  return undefined;
}

/** `message` followed by the CLI's advice for `code`, when there is one. */
export function withCliAdvice(code: string, message: string): string {
  const advice = cliAdvice(code);
  return advice === undefined ? message : `${message}. ${advice}`;
}
