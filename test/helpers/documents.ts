// Builders for the documents tests feed the fleet: real PDFs and DOCX files from pdf-lib and
// docx, and broken or hostile files built byte by byte.
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';
import {
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
} from 'docx';
import { PDFDocument, PDFHexString, StandardFonts } from 'pdf-lib';

export const swedishSample =
  'Åsa Öberg skriver om ”rättvisa” – och om hur eleverna på skolan i Västerås ' +
  'diskuterar frågan … Det är ’viktigt’ att alla får komma till tals, även de tysta.';

/** A PDF with one page per entry, each page's lines drawn in Helvetica (WinAnsi covers åäö “”–). */
export async function makePdf(pages: string[][]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = doc.addPage([595, 842]);
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 780 - i * 16, size: 11, font }));
  }
  return Buffer.from(await doc.save());
}

/** A "scanned" PDF: a page with only a picture (drawn shapes), no text layer. */
export async function makeScannedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  for (let i = 0; i < 20; i++)
    page.drawRectangle({ x: 40 + i * 10, y: 400, width: 6, height: 200 });
  return Buffer.from(await doc.save());
}

/** A PDF whose Standard security handler needs a user password nobody gave. */
export async function makeEncryptedPdf(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  doc.addPage().drawText('A secret essay that nobody can read without the password.', {
    x: 50,
    y: 700,
    size: 12,
    font,
  });
  const ctx = doc.context;
  const hex = (n: number, b: number) => PDFHexString.of(Buffer.alloc(n, b).toString('hex'));
  ctx.trailerInfo.Encrypt = ctx.register(
    ctx.obj({
      Filter: 'Standard',
      V: 1,
      R: 2,
      Length: 40,
      P: -44,
      O: hex(32, 0x11),
      U: hex(32, 0x22),
    }),
  );
  ctx.trailerInfo.ID = ctx.obj([hex(16, 0x33), hex(16, 0x33)]);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A DOCX with a heading, paragraphs, a bulleted list and a table, in Swedish. */
export async function makeDocx(paragraphs: string[] = [swedishSample]): Promise<Buffer> {
  const doc = new Document({
    numbering: { config: [] },
    sections: [
      {
        children: [
          new Paragraph({ text: 'Min uppsats om rättvisa', heading: HeadingLevel.HEADING_1 }),
          ...paragraphs.map((p) => new Paragraph({ children: [new TextRun(p)] })),
          new Paragraph({ text: 'Första punkten: skolan', bullet: { level: 0 } }),
          new Paragraph({ text: 'Andra punkten: eleverna', bullet: { level: 0 } }),
          new Table({
            rows: [
              new TableRow({
                children: [
                  new TableCell({ children: [new Paragraph('Ort')] }),
                  new TableCell({ children: [new Paragraph('Antal')] }),
                ],
              }),
              new TableRow({
                children: [
                  new TableCell({ children: [new Paragraph('Västerås')] }),
                  new TableCell({ children: [new Paragraph('12')] }),
                ],
              }),
            ],
          }),
        ],
      },
    ],
  });
  return Buffer.from(await Packer.toBuffer(doc));
}

export interface ZipEntrySpec {
  name: string;
  /** Bytes as stored (already deflated when method is 8). */
  stored: Buffer;
  method: 0 | 8;
  crc: number;
  /** The uncompressed size the headers claim. */
  declaredSize: number;
  /** Point this entry's central record at an earlier entry's data (an overlapping zip bomb). */
  sameDataAs?: number;
}

export function zipEntry(name: string, data: Buffer | string): ZipEntrySpec {
  const raw = Buffer.from(data);
  return {
    name,
    stored: deflateRawSync(raw),
    method: 8,
    crc: crc32(raw),
    declaredSize: raw.length,
  };
}

/** An entry kept as it is (method 0), as a zip stores an already-compressed file. */
export function storedZipEntry(name: string, data: Buffer | string): ZipEntrySpec {
  const raw = Buffer.from(data);
  return { name, stored: raw, method: 0, crc: crc32(raw), declaredSize: raw.length };
}

/** The parts a word processor needs to open a DOCX, holding one paragraph per text. */
export function minimalDocxEntries(paragraphs: string[]): ZipEntrySpec[] {
  const w = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
  const body = paragraphs
    .map((p) => `<w:p><w:r><w:t xml:space="preserve">${p}</w:t></w:r></w:p>`)
    .join('');
  return [
    zipEntry(
      '[Content_Types].xml',
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    zipEntry(
      '_rels/.rels',
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    zipEntry(
      'word/document.xml',
      `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="${w}"><w:body>${body}</w:body></w:document>`,
    ),
  ];
}

/** A zip archive written byte by byte, so tests can make its headers lie. */
export function buildZip(entries: ZipEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const name = Buffer.from(e.name);
    if (e.sameDataAs === undefined) {
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6);
      local.writeUInt16LE(e.method, 8);
      local.writeUInt32LE(e.crc >>> 0, 14);
      local.writeUInt32LE(e.stored.length, 18);
      local.writeUInt32LE(e.declaredSize, 22);
      local.writeUInt16LE(name.length, 26);
      offsets[i] = offset;
      parts.push(local, name, e.stored);
      offset += 30 + name.length + e.stored.length;
    } else offsets[i] = offsets[e.sameDataAs]!;
    const stored = e.sameDataAs === undefined ? e : entries[e.sameDataAs]!;
    const storedName = Buffer.from(stored.name);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(stored.method, 10);
    cd.writeUInt32LE(stored.crc >>> 0, 16);
    cd.writeUInt32LE(stored.stored.length, 20);
    cd.writeUInt32LE(e.declaredSize, 24);
    cd.writeUInt16LE(storedName.length, 28);
    cd.writeUInt32LE(offsets[i]!, 42);
    central.push(cd, storedName);
  });
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBuf, end]);
}

let bombData: Promise<{ stored: Buffer; size: number }> | undefined;

/** 600 MB of spaces, deflated as it streams (never held whole). */
function deflatedSpaces(): Promise<{ stored: Buffer; size: number }> {
  bombData ??= new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(8 << 20, 0x20);
    const rounds = 75;
    const d = createDeflateRaw({ level: 9 });
    const out: Buffer[] = [];
    d.on('data', (c: Buffer) => out.push(c));
    d.on('end', () => resolve({ stored: Buffer.concat(out), size: rounds * chunk.length }));
    d.on('error', reject);
    let i = 0;
    const pump = () => {
      while (i < rounds) {
        i++;
        if (!d.write(chunk)) return d.once('drain', pump);
      }
      d.end();
    };
    pump();
  });
  return bombData;
}

/**
 * A DOCX-shaped zip bomb under 1 MB that inflates past 1 GB: one deflated run of 600 MB of
 * spaces named by two central records (word/document.xml and word/styles.xml, overlapping), so
 * together they inflate to 1.2 GB. `lie` makes the headers claim 1 KB per entry.
 */
export async function makeZipBomb(lie = false): Promise<Buffer> {
  const { stored, size } = await deflatedSpaces();
  const declaredSize = lie ? 1000 : size;
  return buildZip([
    zipEntry('[Content_Types].xml', '<Types/>'),
    { name: 'word/document.xml', stored, method: 8, crc: 0, declaredSize },
    { name: 'word/styles.xml', stored, method: 8, crc: 0, declaredSize, sameDataAs: 1 },
  ]);
}

/** The first bytes of a JPEG (what a phone photo of an essay starts with). */
export const jpegBytes = Buffer.concat([
  Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
  Buffer.from('JFIF\0'),
  Buffer.alloc(2000, 0x11),
]);

/** A password-protected Office document: an OLE container with an EncryptedPackage stream. */
export const encryptedOfficeBytes = Buffer.concat([
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
  Buffer.alloc(1024, 0),
  Buffer.from('EncryptionInfo', 'utf16le'),
  Buffer.alloc(64, 0),
  Buffer.from('EncryptedPackage', 'utf16le'),
  Buffer.alloc(2048, 0x5a),
]);
