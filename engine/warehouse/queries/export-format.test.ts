import { describe, expect, test } from 'vitest';
import { toCsv } from './export-format.js';

describe('toCsv', () => {
  test('quotes cells holding commas, quotes or line breaks, doubling inner quotes', () => {
    expect(toCsv([{ a: 'x,y', b: 'say "hi"', c: 'two\nlines' }])).toBe('a,b,c\r\n"x,y","say ""hi""","two\nlines"\r\n');
  });

  test('keeps spreadsheet formulas inert, but not negative numbers', () => {
    expect(toCsv([{ a: '=HYPERLINK("x")', b: -12.5, c: '+33' }])).toBe('a,b,c\r\n"\'=HYPERLINK(""x"")",-12.5,"\'+33"\r\n');
  });

  test('keeps cells starting with a tab or a carriage return inert too (OWASP CSV injection list)', () => {
    expect(toCsv([{ a: '\t=cmd|"/c calc"!A1', b: '\r=1+1' }])).toBe('a,b\r\n"\'\t=cmd|""/c calc""!A1","\'\r=1+1"\r\n');
  });

  test('writes the header from the given columns even without rows', () => {
    expect(toCsv([], ['day', 'events'])).toBe('day,events\r\n');
  });
});
