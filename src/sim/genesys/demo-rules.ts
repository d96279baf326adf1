/**
 * The rules file `dialrules demo --platform genesys` runs against the genesys simulator (seed 1). It shows
 * what Genesys can hold (no abandonment cool-down, evenly spaced retries in attempt limits), shared attempt
 * limits written once for the campaigns that agree, and the conflict when only some of them would change.
 */
export const GENESYS_DEMO_RULES = `# dialrules demo for the Genesys Cloud simulator: outbound campaigns and their attempt limits.
profiles: [US_TCPA]
licenseTier: ENTERPRISE
defaults:
  dialingRules:
    abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 0}
campaigns:
  # every collections campaign (East and West share one attempt limits object): two retries two hours apart
  - match: "Collections-*"
    dialingRules: {maxCallsPerAgent: 2, retrySettings: {maxAttempts: 2, intervalMinutes: [120, 240]}}
  # renewals: progressive dialing
  - match: "Sales-Renewals-*"
    dialingRules: {dialingMethod: PROGRESSIVE, maxCallsPerAgent: 2}
  # only two survey campaigns get new retries, but all of them share their attempt limits: plan refuses it
  - match: "Survey-NPS-0*"
    dialingRules: {retrySettings: {maxAttempts: 1, intervalMinutes: [45]}}
`;
