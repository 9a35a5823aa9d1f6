// The documents the benchmarks feed the fleet, built in memory.
import { makeDocx, makePdf } from '../../test/helpers/documents.js';

export type Format = 'pdf' | 'docx' | 'txt';

export const words = (n: number, seed: number) =>
  Array.from(
    { length: n },
    (_, i) =>
      ['essay', 'argument', 'evidence', 'school', 'river', 'history', 'because', 'the'][
        (i * 7 + seed) % 8
      ],
  ).join(' ');

/**
 * `size` different files per format (8 unless asked): 3-page PDFs, ~1,500-word DOCX files,
 * 500-word TXT files. Each opens with its own number: the word pattern repeats every 8 seeds.
 */
export async function corpus(format: Format, size = 8): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let s = 0; s < size; s++) {
    const title = `Essay number ${s}.`;
    if (format === 'pdf')
      out.push(
        await makePdf(
          Array.from({ length: 3 }, (_, p) => [
            ...(p === 0 ? [title] : []),
            ...Array.from({ length: 40 }, (_, l) => words(12, s + p + l)),
          ]),
        ),
      );
    else if (format === 'docx')
      out.push(await makeDocx([title, ...Array.from({ length: 25 }, (_, p) => words(60, s + p))]));
    else out.push(Buffer.from(`${title} ${words(500, s)}`));
  }
  return out;
}
