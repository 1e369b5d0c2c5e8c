/** A nullable date as the API writes it: an ISO 8601 string, or null. */
export const iso = (date: Date | null) => date?.toISOString() ?? null;
