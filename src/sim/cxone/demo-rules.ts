/**
 * The rules file `dialrules demo --platform cxone` runs against the cxone simulator (seed 1). It manages
 * only what CXone can hold exactly: lines per agent, the abandonment threshold (no cool-down on CXone,
 * hence coolDownSec 0) and evenly spaced retries (one minimum retry interval per skill).
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
  # payment reminders: irregular retries cannot be held by CXone; apply refuses them per skill
  - match: "PC-Reminders-Payments-*"
    dialingRules: {retrySettings: {maxAttempts: 2, intervalMinutes: [60, 1440]}}
`;
