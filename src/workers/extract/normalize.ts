/**
 * One canonical form for extracted text, so the same bytes always give byte-identical text:
 * NFC, `\n` line endings, no trailing spaces, at most one blank line between paragraphs,
 * no leading or trailing blank lines.
 */
export function normalizeText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u2028\u2029]/g, '\n')
    .replaceAll('\u0000', '')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+$/u, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .replace(/^\n+|\n+$/g, '');
}
