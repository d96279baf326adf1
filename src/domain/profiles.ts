/**
 * Regulatory profiles as data. Each profile is a set of limits with the citation a rejected change quotes.
 * Numbers and sources: ../../docs/rules-file.md#profiles (mirrors the design note regulatory-profiles.md).
 * Adding a profile is adding an entry here; validation has no per-profile code paths.
 */

export const PROFILE_IDS = [
  "US_TCPA",
  "US_TSR",
  "US_REG_F",
  "US_FL",
  "US_OK",
  "US_MD",
  "US_MA_COLLECTIONS",
  "UK_OFCOM",
  "CA_CRTC",
  "FR",
] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

export const LICENSE_TIERS = ["STANDARD", "PROFESSIONAL", "ENTERPRISE"] as const;
export type LicenseTier = (typeof LICENSE_TIERS)[number];

export const MINUTES_PER_DAY = 1440;

/** At most `maxAttempts` calls (first call + retries) inside any window of `windowMinutes` consecutive minutes. */
export interface FrequencyLimit {
  maxAttempts: number;
  windowMinutes: number;
  /** Human wording of the window, e.g. "7 consecutive days". */
  window: string;
  citation: string;
}

/** Text-only rules that the campaign API cannot express: reported as warnings, never errors. */
export interface Advisory {
  code: string;
  message: string;
  citation: string;
}

export interface Profile {
  id: ProfileId;
  title: string;
  /** Maximum abandoned-call rate as a fraction of live-answered calls. */
  maxAbandonmentRate?: { value: number; citation: string };
  frequency?: FrequencyLimit;
  /** Minimum minutes between a call that may have been abandoned and the next call to the same number. */
  recallAfterAbandonMinutes?: { value: number; citation: string };
  advisories: Advisory[];
}

const TCPA_ABANDON =
  "47 CFR 64.1200(a)(7): abandoned calls ≤ 3% of calls answered live, per campaign per 30 days";
const RING_TIME: Advisory = {
  code: "ADVISORY_RING_TIME",
  message:
    "let unanswered calls ring at least 15 seconds or 4 rings before disconnecting (not a campaign API field)",
  citation: "47 CFR 64.1200(a)(6); 16 CFR 310.4(b)(4)",
};

export const PROFILES: Readonly<Record<ProfileId, Profile>> = {
  US_TCPA: {
    id: "US_TCPA",
    title: "US Telephone Consumer Protection Act (FCC rules)",
    maxAbandonmentRate: { value: 0.03, citation: TCPA_ABANDON },
    advisories: [
      RING_TIME,
      {
        code: "ADVISORY_CALLING_HOURS",
        message: "call only 08:00–21:00 in the called party's local time (not a campaign API field)",
        citation: "47 CFR 64.1200(c)(1)",
      },
      {
        code: "ADVISORY_ABANDON_DEFINITION",
        message: "a call not connected to a live agent within 2 s of the greeting counts as abandoned",
        citation: "47 CFR 64.1200(a)(7)(i)",
      },
    ],
  },
  US_TSR: {
    id: "US_TSR",
    title: "US Telemarketing Sales Rule (FTC) call-abandonment safe harbour",
    maxAbandonmentRate: {
      value: 0.03,
      citation: "16 CFR 310.4(b)(4): safe harbour ≤ 3% abandoned per campaign per 30-day period",
    },
    advisories: [
      RING_TIME,
      {
        code: "ADVISORY_ABANDON_MESSAGE",
        message: "play the recorded identification message within 2 s of the greeting on abandoned calls",
        citation: "16 CFR 310.4(b)(4)(iii)",
      },
    ],
  },
  US_REG_F: {
    id: "US_REG_F",
    title: "US CFPB Regulation F (debt collection) call frequency",
    frequency: {
      maxAttempts: 7,
      windowMinutes: 7 * MINUTES_PER_DAY,
      window: "7 consecutive days",
      citation:
        "12 CFR 1006.14(b)(2)(i)(A): more than 7 calls within 7 consecutive days is presumed a violation",
    },
    advisories: [
      {
        code: "ADVISORY_AFTER_CONVERSATION",
        message:
          "after a telephone conversation about the debt, do not call again within 7 days (day of conversation = day 1)",
        citation: "12 CFR 1006.14(b)(2)(i)(B)",
      },
    ],
  },
  US_FL: {
    id: "US_FL",
    title: "Florida Telephone Solicitation Act",
    frequency: {
      maxAttempts: 3,
      windowMinutes: MINUTES_PER_DAY,
      window: "24 hours",
      citation: "Fla. Stat. § 501.616(6): at most 3 calls per 24 hours on the same subject",
    },
    advisories: [
      {
        code: "ADVISORY_CALLING_HOURS",
        message: "call only 08:00–20:00 in the called party's local time (not a campaign API field)",
        citation: "Fla. Stat. § 501.616(6)",
      },
    ],
  },
  US_OK: {
    id: "US_OK",
    title: "Oklahoma Telephone Solicitation Act",
    frequency: {
      maxAttempts: 3,
      windowMinutes: MINUTES_PER_DAY,
      window: "24 hours",
      citation: "15 O.S. § 775C.4: at most 3 calls per 24 hours on the same subject",
    },
    advisories: [
      {
        code: "ADVISORY_CALLING_HOURS",
        message: "call only 08:00–20:00 in the called party's local time (not a campaign API field)",
        citation: "15 O.S. § 775C.4",
      },
    ],
  },
  US_MD: {
    id: "US_MD",
    title: "Maryland Telephone Solicitations Act",
    frequency: {
      maxAttempts: 3,
      windowMinutes: MINUTES_PER_DAY,
      window: "24 hours",
      citation: "Md. Com. Law § 14-4501 ff.: at most 3 calls per 24 hours on the same subject",
    },
    advisories: [
      {
        code: "ADVISORY_CALLING_HOURS",
        message: "call only 08:00–20:00 in the called party's local time (not a campaign API field)",
        citation: "Md. Com. Law § 14-4501 ff.",
      },
    ],
  },
  US_MA_COLLECTIONS: {
    id: "US_MA_COLLECTIONS",
    title: "Massachusetts debt collection regulations",
    frequency: {
      maxAttempts: 2,
      windowMinutes: 7 * MINUTES_PER_DAY,
      window: "7 days",
      citation: "940 CMR 7.04(1)(f): at most 2 communications per 7-day period per debt",
    },
    advisories: [],
  },
  UK_OFCOM: {
    id: "UK_OFCOM",
    title: "Ofcom persistent-misuse policy (abandoned and silent calls)",
    maxAbandonmentRate: {
      value: 0.03,
      citation:
        "Ofcom persistent-misuse statement 2010 (method kept in 2016): abandoned calls ≤ 3% of live calls per campaign per 24 h, incl. AMD false positives",
    },
    recallAfterAbandonMinutes: {
      value: 72 * 60,
      citation:
        "Ofcom persistent-misuse statement 2010: no re-call within 72 h after an abandoned or AMD-detected call unless a live agent is guaranteed",
    },
    advisories: [],
  },
  CA_CRTC: {
    id: "CA_CRTC",
    title: "CRTC Unsolicited Telecommunications Rules",
    maxAbandonmentRate: {
      value: 0.05,
      citation:
        "CRTC Unsolicited Telecommunications Rules: abandoned calls ≤ 5% of answered calls per campaign per month",
    },
    advisories: [
      {
        code: "ADVISORY_CALLING_HOURS",
        message: "call only 09:00–21:30 on weekdays and 10:00–18:00 on weekends (not a campaign API field)",
        citation: "CRTC Unsolicited Telecommunications Rules",
      },
    ],
  },
  FR: {
    id: "FR",
    title: "France, Code de la consommation (démarchage téléphonique)",
    frequency: {
      maxAttempts: 4,
      windowMinutes: 30 * MINUTES_PER_DAY,
      window: "30 days",
      citation: "Code de la consommation art. D223-9: at most 4 calls per 30 days per consumer",
    },
    advisories: [
      {
        code: "ADVISORY_CALLING_HOURS",
        message: "call only Monday–Friday 10:00–13:00 and 14:00–20:00 (not a campaign API field)",
        citation: "Code de la consommation art. D223-9",
      },
      {
        code: "ADVISORY_REFUSAL_PAUSE",
        message: "after a consumer refuses, do not call again for 60 days",
        citation: "Code de la consommation art. D223-9",
      },
    ],
  },
};

/**
 * Limits that hold whatever the profiles: the meaning of the dialing methods and dialrules' sanity bounds.
 * They are tightenable with `limits:` and loosenable with `overrides:` like any profile limit.
 */
export const BASELINE = {
  minRetryIntervalMinutes: {
    value: 1,
    citation: "dialrules baseline: a retry needs at least one minute after the previous attempt",
  },
  maxRetryIntervalMinutes: {
    value: 30 * MINUTES_PER_DAY,
    citation: "dialrules baseline: a retry more than 30 days after the first call belongs to a new campaign",
  },
  /**
   * Lines per available agent by method. PREVIEW is fixed at 1 by definition. The ceilings for the other
   * methods follow the one public, numeric vendor bound we found: Cisco Unified CCX's admin API caps
   * `linesPerAgent` (agent progressive) and `maxLinesPerAgent` (agent predictive) at 3.0. CXone publishes no
   * ceiling for its campaign API, so POWER (fixed-ratio dialing) uses the same conservative value.
   */
  maxCallsPerAgent: {
    PREVIEW: {
      value: 1,
      citation:
        "preview dialing: the agent reviews the record and places exactly one call (platform contract)",
    },
    PROGRESSIVE: {
      value: 3,
      citation:
        "dialrules ceiling 3 lines/agent, after Cisco Unified CCX admin API linesPerAgent ≤ 3.0 (agent progressive campaigns)",
    },
    POWER: {
      value: 3,
      citation:
        "dialrules ceiling 3 lines/agent for fixed-ratio dialing; no public CXone bound — same value as Cisco Unified CCX lines-per-agent ≤ 3.0",
    },
    PREDICTIVE: {
      value: 3,
      citation:
        "dialrules ceiling 3 lines/agent, after Cisco Unified CCX admin API maxLinesPerAgent ≤ 3.0 (agent predictive campaigns)",
    },
  },
  predictiveLicense: {
    tier: "ENTERPRISE" as LicenseTier,
    citation:
      "CXone licensing as assumed by the platform contract: predictive dialing requires the ENTERPRISE tier",
  },
} as const;
