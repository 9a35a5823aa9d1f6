import { expect } from 'chai';
import { displayFileName } from '../../../src/api/upload/file-name.js';

describe('api: displayFileName', () => {
  it('keeps Swedish names, in NFC', () => {
    expect(displayFileName('A\u030asa O\u0308berg – uppsats.txt')).to.equal(
      'Åsa Öberg – uppsats.txt',
    );
  });
  it('removes path separators and control characters', () => {
    expect(displayFileName('../../etc/passwd')).to.equal('....etcpasswd');
    expect(displayFileName('a\u0000b\nc\\d.txt')).to.equal('abcd.txt');
  });
  it('never returns an empty name', () => {
    expect(displayFileName('')).to.equal('unnamed');
    expect(displayFileName(undefined)).to.equal('unnamed');
  });
});
