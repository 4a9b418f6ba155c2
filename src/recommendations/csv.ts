/** A small RFC 4180 CSV reader for the recommender's offline files (quoted fields, "" escapes, CRLF). */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
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
      field = '';
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
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
