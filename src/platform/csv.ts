/** CSV for data files (demo catalogue, the recommender's offline files): RFC 4180 rows, and records by header. */

/** RFC 4180 CSV rows (quoted fields may hold commas, quotes and newlines). */
export function* csvRows(text: string): Generator<string[]> {
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      yield row;
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) yield [...row, field];
}

/** Records keyed by the header row; blank lines are skipped. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows = [...csvRows(text)].filter((r) => r.length > 1 || r[0] !== '');
  const [header, ...body] = rows;
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, i) => [h.trim(), r[i] ?? ''])));
}

/** Quotes a CSV field when it needs it. */
export function csvField(value: string | number): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Parses a CSV whose header must have `columns` (others are ignored); fails with a sentence naming what is missing. */
export function readCsv<C extends string>(file: string, text: string, columns: readonly C[]): Record<C, string>[] {
  const rows = parseCsv(text);
  const first = rows[0];
  const missing = first ? columns.filter((c) => !(c in first)) : [];
  if (missing.length) throw new Error(`${file}: missing column(s) ${missing.join(', ')}; expected header ${columns.join(',')}`);
  return rows;
}
