import fs from 'node:fs';
import path from 'node:path';
import { essay } from './api.js';
import { makeDocx, makePdf, makeScannedPdf } from './documents.js';

/**
 * A teacher's folder of essays as a platform engineer would point the CLI at: TXT, PDF and DOCX
 * in turn, some in a subfolder, Swedish names, and a hidden file that is no essay. `broken`
 * essays at the end fail (too short, a scan without text).
 */
export async function writeEssayFolder(dir: string, count: number, broken = 0): Promise<string[]> {
  fs.mkdirSync(path.join(dir, 'klass 9b'), { recursive: true });
  fs.writeFileSync(path.join(dir, '.DS_Store'), 'not an essay');
  const written: string[] = [];
  for (let i = 1; i <= count; i++) {
    const folder = i % 4 === 0 ? path.join(dir, 'klass 9b') : dir;
    const text = essay(`topic ${i}`, 80);
    const base = path.join(folder, `elev ${String(i).padStart(2, '0')} Åsa`);
    let file: string;
    if (i > count - broken)
      file =
        i % 2
          ? (fs.writeFileSync(`${base}.txt`, 'För kort.'), `${base}.txt`)
          : (fs.writeFileSync(`${base}.pdf`, await makeScannedPdf()), `${base}.pdf`);
    else if (i % 3 === 1) {
      file = `${base}.txt`;
      fs.writeFileSync(file, text);
    } else if (i % 3 === 2) {
      file = `${base}.pdf`;
      fs.writeFileSync(file, await makePdf([text.match(/.{1,80}(\s|$)/g)!.map((l) => l.trim())]));
    } else {
      file = `${base}.docx`;
      fs.writeFileSync(file, await makeDocx([text]));
    }
    written.push(file);
  }
  return written;
}
