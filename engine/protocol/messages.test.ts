import { describe, expect, test } from 'vitest';
import { ErrorCodes } from '../errors.js';
import { FRAME_REFUSALS } from './messages.js';

describe('FRAME_REFUSALS', () => {
  test('matches the codes that refuse a frame for what it is, and no code of a frame the engine failed to process', () => {
    const matched = Object.keys(ErrorCodes).filter((code) => FRAME_REFUSALS.test(code));
    // TW_BAD_EVENT matches too, rightly: it comes without `i` only for an event with no valid id, which no resend can mend.
    expect(matched.sort()).toEqual(
      ['TW_BAD_EVENT', 'TW_BAD_FRAME', 'TW_BAD_JSON', 'TW_BAD_VISITOR', 'TW_FRAME_TOO_LARGE', 'TW_TOO_MANY_EVENTS', 'TW_UNKNOWN_SITE'].sort(),
    );
  });
});
