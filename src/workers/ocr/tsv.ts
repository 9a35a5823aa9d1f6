/** One page as tesseract read it (its TSV output): the text and each word's confidence. */
export interface PageReading {
  text: string;
  /** Words tesseract recognised, each with its confidence 0-100. */
  words: number;
  /** Mean word confidence (0-100); null for a page without words. */
  confidence: number | null;
}

/**
 * Tesseract's TSV (`level page block par line word left top width height conf text`) to text:
 * words joined by spaces, lines by newlines, paragraphs and blocks by a blank line. Words
 * without text (tesseract's empty boxes) do not count.
 */
export function parseTesseractTsv(tsv: string): PageReading {
  const paragraphs: string[][] = [];
  let current: string[] = [];
  let line: string[] = [];
  let key = '';
  let lineKey = '';
  let sum = 0;
  let words = 0;
  const flushLine = () => {
    if (line.length > 0) current.push(line.join(' '));
    line = [];
  };
  const flushParagraph = () => {
    flushLine();
    if (current.length > 0) paragraphs.push(current);
    current = [];
  };
  for (const row of tsv.split('\n').slice(1)) {
    const cols = row.split('\t');
    if (cols.length < 12 || cols[0] !== '5') continue;
    const text = cols.slice(11).join('\t').trim();
    const conf = Number(cols[10]);
    if (!text || !(conf >= 0)) continue;
    const parKey = `${cols[1]}/${cols[2]}/${cols[3]}`;
    const thisLine = `${parKey}/${cols[4]}`;
    if (parKey !== key) {
      flushParagraph();
      key = parKey;
    } else if (thisLine !== lineKey) flushLine();
    lineKey = thisLine;
    line.push(text);
    sum += conf;
    words++;
  }
  flushParagraph();
  return {
    text: paragraphs.map((p) => p.join('\n')).join('\n\n'),
    words,
    confidence: words > 0 ? sum / words : null,
  };
}
