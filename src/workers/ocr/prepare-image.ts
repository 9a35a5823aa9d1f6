// Run as a process of its own (runLimited): decodes a photo or scan, turns it upright by its
// EXIF orientation (tesseract ignores EXIF), scales a huge photo down instead of refusing it,
// and writes an uncompressed greyscale TIFF for tesseract. libvips' memory is native: the parent's resident
// memory limit is what holds it, a V8 heap cap would not.
//   node prepare-image.js <input> <output.tif> <max megapixels>
import sharp from 'sharp';

sharp.concurrency(1);
sharp.cache(false);

const [input, output, maxMp] = process.argv.slice(2);
const maxPixels = Number(maxMp) * 1_000_000;
// decoding more than this is refused before any pixel is allocated (a "pixel bomb")
const limitInputPixels = 268_402_689;

const meta = await sharp(input, { limitInputPixels }).metadata();
const upright = (meta.orientation ?? 1) >= 5;
const width = upright ? meta.height : meta.width;
const height = upright ? meta.width : meta.height;
if (!width || !height) throw new Error('the image has no size');
const scale = Math.min(1, Math.sqrt(maxPixels / (width * height)));
let img = sharp(input, { limitInputPixels, failOn: 'none' }).rotate();
if (scale < 1)
  img = img.resize({
    width: Math.max(1, Math.floor(width * scale)),
    height: Math.max(1, Math.floor(height * scale)),
    fit: 'fill',
  });
// uncompressed: tesseract reads it at once, and encoding it costs nothing
await img.greyscale().tiff({ compression: 'none' }).toFile(output!);
process.stdout.write(
  JSON.stringify({ width, height, orientation: meta.orientation ?? 1, scale, format: meta.format }),
);
