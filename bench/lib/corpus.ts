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

/** 8 files per format: 3-page PDFs, ~1,500-word DOCX files, 500-word TXT files. */
export async function corpus(format: Format): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let s = 0; s < 8; s++) {
    if (format === 'pdf')
      out.push(
        await makePdf(
          Array.from({ length: 3 }, (_, p) =>
            Array.from({ length: 40 }, (_, l) => words(12, s + p + l)),
          ),
        ),
      );
    else if (format === 'docx')
      out.push(await makeDocx(Array.from({ length: 25 }, (_, p) => words(60, s + p))));
    else out.push(Buffer.from(words(500, s)));
  }
  return out;
}
