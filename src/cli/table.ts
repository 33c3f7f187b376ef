/** Aligned text columns for people, with optional colour per cell. */
import { type Colour, joinText, paint, type Text, terminalSafeLine } from "./terminal.js";

export interface Cell {
  text: string;
  colour?: Colour;
}

/**
 * Renders rows under a header; the last column is not padded. Each cell is cleaned to one line first
 * (`terminalSafeLine`), so widths are those of what is printed and no cell can break or rewrite a row.
 */
export function renderTable(header: string[], rows: Cell[][]): Text {
  const cleaned = rows.map((row) => row.map((cell) => ({ ...cell, text: terminalSafeLine(cell.text) })));
  const widths = header.map((h, i) => Math.max(h.length, ...cleaned.map((r) => r[i]?.text.length ?? 0)));
  const line = (cells: Cell[]): Text => {
    const texts = cells.map((cell, i) =>
      i === cells.length - 1 ? cell.text : cell.text.padEnd(widths[i] ?? 0),
    );
    // As `join("  ").trimEnd()` would: blank cells at the end go, and the last one kept loses its padding.
    let last = texts.length - 1;
    while (last > 0 && (texts[last] ?? "").trim() === "") last--;
    const kept = cells
      .slice(0, last + 1)
      .map((cell, i) => paint(i === last ? (texts[i] ?? "").trimEnd() : (texts[i] ?? ""), cell.colour));
    return joinText(kept, "  ");
  };
  return joinText(
    [line(header.map((h) => ({ text: h, colour: "bold" as const }))), ...cleaned.map(line)],
    "\n",
  );
}
