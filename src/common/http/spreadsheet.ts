/**
 * Spreadsheet programs run a cell that starts with = + - @ (or a tab or carriage return) as a
 * formula; an apostrophe in front keeps it text (OWASP "CSV injection"). Every CSV we hand out
 * (the audit log, customer exports) passes each cell through here.
 */
export function spreadsheetSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
