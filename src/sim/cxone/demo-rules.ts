/**
 * The rules file `dialrules demo --platform cxone` runs against the cxone simulator (seed 1). It is valid for
 * every skill it targets and manages only what CXone can hold exactly: lines per agent, the abandonment
 * threshold with one decimal of a percent (no cool-down on CXone, hence coolDownSec 0) and evenly spaced
 * retries (one minimum retry interval per skill). It leaves the dialing method alone: no Admin API field
 * sets it. The demo prints it before planning.
 */
export const CXONE_DEMO_RULES = `# dialrules demo for the NICE CXone simulator: Personal Connection skills (campaign id = skill id).
profiles: [US_TCPA]
licenseTier: ENTERPRISE
defaults:
  dialingRules:
    abandonmentRateThreshold: {maxRate: 0.03, coolDownSec: 0}
campaigns:
  # all collections skills: two lines per agent
  - match: "PC-Collections-*"
    dialingRules: {maxCallsPerAgent: 2}
  # renewals: three lines per agent and two retries four hours apart
  - match: "PC-Sales-Renewals-*"
    dialingRules: {maxCallsPerAgent: 3, retrySettings: {maxAttempts: 2, intervalMinutes: [240, 480]}}
  # payment reminders: two retries twelve hours apart (CXone keeps one minimum retry interval per skill)
  - match: "PC-Reminders-Payments-*"
    dialingRules: {retrySettings: {maxAttempts: 2, intervalMinutes: [720, 1440]}}
`;
