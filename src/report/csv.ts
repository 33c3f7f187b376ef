import { stringify } from "csv-stringify/sync";

/**
 * CSV for spreadsheets: RFC 4180 (comma, CRLF, a field quoted when it holds a comma, quote or line break, quotes
 * doubled), written by csv-stringify. A cell that a spreadsheet would read as a formula (it begins with = + - @,
 * a tab or a carriage return: OWASP's "CSV Injection") is prefixed with a single quote, so secret names, tags and
 * descriptions stay text. Numbers are written as numbers; a negative number is a number, not a formula.
 */
export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as a spreadsheet must show it: text that could start a formula gets a leading quote. */
export function neutralise(cell: CsvCell): string | number {
  if (cell === null || cell === undefined) return "";
  if (typeof cell === "number") return Number.isFinite(cell) ? cell : "";
  if (typeof cell === "boolean") return cell ? "true" : "false";
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** One header row and the rows under it, every cell neutralised. */
export function toCsv(header: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const records: (string | number)[][] = [header.map(neutralise)];
  for (const row of rows) {
    if (row.length !== header.length)
      throw new Error(`a CSV row has ${row.length} cells, the header ${header.length}`);
    records.push(row.map(neutralise));
  }
  return stringify(records, { record_delimiter: "windows", quoted_match: /["\r\n,]/ });
}
