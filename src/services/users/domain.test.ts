import { describe, expect, it } from 'vitest';
import {
  avatarFileName,
  avatarFileNamePattern,
  avatarKeys,
  normaliseEmail,
  sniffImageType,
} from './domain.js';

const bytes = (...parts: (number[] | string)[]) =>
  Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part))));

describe('sniffImageType', () => {
  it.each([
    ['PNG', bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'rest'), 'image/png'],
    ['JPEG', bytes([0xff, 0xd8, 0xff, 0xdb]), 'image/jpeg'],
    ['GIF87a', bytes('GIF87a...'), 'image/gif'],
    ['GIF89a', bytes('GIF89a...'), 'image/gif'],
    ['WebP', bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '), 'image/webp'],
  ])('knows %s by its bytes', (_name, data, type) => {
    expect(sniffImageType(data)).toBe(type);
  });

  it.each([
    ['SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg"></svg>')],
    ['HTML', bytes('<html><script>alert(1)</script>')],
    ['a RIFF that is not WebP (WAV)', bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt ')],
    ['a truncated PNG signature', bytes([0x89, 0x50, 0x4e])],
    ['nothing', bytes('')],
  ])('refuses %s', (_name, data) => {
    expect(sniffImageType(data)).toBeUndefined();
  });
});

describe('avatar names', () => {
  it('builds keys under the user, or unattached, with the extension of the sniffed type', () => {
    const fileName = avatarFileName('0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f', 'image/jpeg');
    expect(fileName).toBe('0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f.jpg');
    expect(new RegExp(avatarFileNamePattern).test(fileName)).toBe(true);
    expect(avatarKeys.ofUser('u1', fileName)).toBe(`avatars/users/u1/${fileName}`);
    expect(avatarKeys.unattached(fileName)).toBe(`avatars/unattached/${fileName}`);
  });

  it('accepts no path tricks in a file name', () => {
    const valid = new RegExp(avatarFileNamePattern);
    for (const name of ['../x.png', 'a/b.png', 'x.svg', '0b7e2f2c-4a5b-4c3d-8e9f-0a1b2c3d4e5f.png/..']) {
      expect(valid.test(name)).toBe(false);
    }
  });
});

describe('normaliseEmail', () => {
  it('trims and lower-cases', () => {
    expect(normaliseEmail('  Ada@Example.ORG ')).toBe('ada@example.org');
  });
});
