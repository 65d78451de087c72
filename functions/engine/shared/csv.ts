/** One CSV field, quoted per RFC 4180 when it contains a comma, quote, CR or LF (quotes doubled). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV record (no line terminator). */
export function csvRecord(fields: readonly string[]): string {
  return fields.map(csvField).join(',');
}
