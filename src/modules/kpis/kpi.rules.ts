/**
 * The KPI figures of issue 17, each defined once: these texts are the schema's descriptions (and
 * the README's table), so a front end never has to guess what a number counts. A period is
 * [from, to), whole days of the company's time zone (CRM_TIMEZONE). What happens in it is credited
 * to the owner (and their department) who held the customer when it happened, so a seller keeps
 * the credit for work done before a transfer; the snapshot figures (customers owned and their
 * states, data-quality completeness) are the group's customers as they belong now.
 */
export const KPI_DEFINITIONS = {
  customersOwned: 'Customers the group holds now (active or in the archive) that were created before `to`',
  newCustomers: 'Of those, created within the period',
  interactions: 'Interaction records that occurred within the period on customers the group held when they occurred',
  followUpsDue: 'Next actions (an interaction\'s nextActionDueAt) falling due within the period, credited to whoever held the customer when the action was planned',
  followUpsOnTime: 'Of those, followed by another interaction on the same customer after the planning one and no later than the due time',
  followUpOnTimeRate: 'followUpsOnTime ÷ followUpsDue, in %, one decimal; null when nothing fell due',
  wentDormant: 'Of the customers the group holds now, those archived as dormant within the period and still in the archive',
  reactivated: 'Of the customers the group holds now, those brought back from the archive within the period',
  complaintsReceived: 'Complaints received within the period on customers the group held when they were received',
  complaintsResolved: 'Complaints resolved within the period on customers the group held when they were resolved',
  complaintsResolvedOnTime: 'Of those, resolved no later than their deadline (dueAt, in working time by severity)',
  complaintOnTimeRate: 'complaintsResolvedOnTime ÷ complaintsResolved, in %, one decimal; null when none was resolved',
  meanResolutionWorkingMinutes: 'Mean working minutes from receipt to resolution of the complaints counted in complaintsResolved (business calendar); null when none',
  satisfactionAverage: 'Mean satisfaction score (1–5) of complaints verified within the period on customers the group held when they were verified, two decimals; null when none',
  transfersIn: 'Customers moved to the group by a completed transfer or succession within the period (for a department: from another department)',
  transfersOut: 'Customers moved away from the group by a completed transfer or succession within the period (for a department: to another department)',
  dataQualityCompleteness: 'Share (%) of the group\'s active customers failing no completeness rule of the data-quality report, now; null without active customers',
  reviewTasksDue: 'Review tasks (periodic reviews) of the group\'s owners falling due within the period',
  reviewTasksDone: 'Of those, confirmed no later than their due time',
  reviewCompletionRate: 'reviewTasksDone ÷ reviewTasksDue, in %, one decimal; null when none fell due',
} as const;
export type KpiName = keyof typeof KPI_DEFINITIONS;

/** The counted figures, as the repository returns them per group (rates and means are derived). */
export const COUNTED = [
  'customersOwned',
  'newCustomers',
  'interactions',
  'followUpsDue',
  'followUpsOnTime',
  'wentDormant',
  'reactivated',
  'complaintsReceived',
  'complaintsResolved',
  'complaintsResolvedOnTime',
  'transfersIn',
  'transfersOut',
  'reviewTasksDue',
  'reviewTasksDone',
] as const;
export type Counted = (typeof COUNTED)[number];

/** What the repository sums per group: the counts, and the sums and counts behind the means. */
export type KpiTotals = Record<Counted, number> & {
  resolutionMinutesSum: number;
  resolutionMinutesCount: number;
  satisfactionSum: number;
  satisfactionCount: number;
  activeCustomers: number;
  completeCustomers: number;
};

export type KpiFigures = Record<Counted, number> & {
  followUpOnTimeRate: number | null;
  complaintOnTimeRate: number | null;
  meanResolutionWorkingMinutes: number | null;
  satisfactionAverage: number | null;
  dataQualityCompleteness: number | null;
  reviewCompletionRate: number | null;
};

export const emptyTotals = (): KpiTotals => ({
  ...(Object.fromEntries(COUNTED.map((k) => [k, 0])) as Record<Counted, number>),
  resolutionMinutesSum: 0,
  resolutionMinutesCount: 0,
  satisfactionSum: 0,
  satisfactionCount: 0,
  activeCustomers: 0,
  completeCustomers: 0,
});

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;
const share = (part: number, whole: number) => (whole === 0 ? null : round((part * 100) / whole, 1));

export function kpiFigures(t: KpiTotals): KpiFigures {
  const counted = Object.fromEntries(COUNTED.map((k) => [k, t[k]])) as Record<Counted, number>;
  return {
    ...counted,
    followUpOnTimeRate: share(t.followUpsOnTime, t.followUpsDue),
    complaintOnTimeRate: share(t.complaintsResolvedOnTime, t.complaintsResolved),
    meanResolutionWorkingMinutes: t.resolutionMinutesCount === 0 ? null : round(t.resolutionMinutesSum / t.resolutionMinutesCount, 1),
    satisfactionAverage: t.satisfactionCount === 0 ? null : round(t.satisfactionSum / t.satisfactionCount, 2),
    dataQualityCompleteness: share(t.completeCustomers, t.activeCustomers),
    reviewCompletionRate: share(t.reviewTasksDone, t.reviewTasksDue),
  };
}

/** Longest period one report covers: a year and a bit, so a yearly evaluation fits. */
export const KPI_MAX_PERIOD_DAYS = 400;

/** Why a period cannot be reported on, or undefined when it can. */
export function periodProblem(from: Date, to: Date): string | undefined {
  if (!(from.getTime() < to.getTime())) return 'from must be before to';
  if (to.getTime() - from.getTime() > KPI_MAX_PERIOD_DAYS * 86_400_000) return `a period covers at most ${KPI_MAX_PERIOD_DAYS} days`;
  return undefined;
}

/** The CSV header, in column order: the group, then every figure in KPI_DEFINITIONS order. */
export const KPI_CSV_COLUMNS = ['departmentId', 'departmentName', 'ownerId', 'ownerName', ...(Object.keys(KPI_DEFINITIONS) as KpiName[])] as const;
