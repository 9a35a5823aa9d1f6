/**
 * A client's file name, fit for display only (it never becomes a path): NFC, without control
 * characters or path separators, at most 255 characters.
 */
export function displayFileName(raw: string | undefined): string {
  const clean = (raw ?? '')
    .normalize('NFC')
    .replace(/[\p{Cc}\p{Cf}]/gu, '')
    .replace(/[/\\]/g, '')
    .trim();
  return [...clean].slice(0, 255).join('') || 'unnamed';
}
