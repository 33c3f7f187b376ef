/** Aligned text columns for people, with optional ANSI colour per cell. */
const ANSI = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof ANSI;

export function paint(text: string, colour: Colour | undefined, enabled: boolean): string {
  return enabled && colour ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text;
}

export interface Cell {
  text: string;
  colour?: Colour;
}

/** Renders rows under a header; the last column is not padded. Control characters in cells are made visible. */
export function renderTable(header: string[], rows: Cell[][], color: boolean): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we strip.
  const clean = (s: string) => s.replace(/[\u0000-\u001f\u007f]/g, "?");
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => clean(r[i]?.text ?? "").length)));
  const line = (cells: Cell[]) =>
    cells
      .map((cell, i) => {
        const text = clean(cell.text);
        const padded = i === cells.length - 1 ? text : text.padEnd(widths[i] ?? 0);
        return paint(padded, cell.colour, color);
      })
      .join("  ")
      .trimEnd();
  return [line(header.map((h) => ({ text: h, colour: "bold" as const }))), ...rows.map(line)].join("\n");
}
