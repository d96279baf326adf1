/** Predictive dialing with two lines per agent for one campaign: high risk, within the US floor. */
export const highRiskRules = (campaignId: string) => `profiles: [US_TCPA]
licenseTier: ENTERPRISE
campaigns:
  - id: ${campaignId}
    dialingRules:
      dialingMethod: PREDICTIVE
      maxCallsPerAgent: 2
      abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 300}
      retrySettings: {maxAttempts: 3, intervalMinutes: [60, 240, 1440]}
`;

export const form = (fields: Record<string, string>) => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  payload: new URLSearchParams(fields).toString(),
});

export function csrfOf(page: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(page);
  if (!match?.[1]) throw new Error("no CSRF field on the page");
  return match[1];
}
