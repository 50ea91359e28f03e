import { answerBody, readSagaAnswer } from '../../../bench/sagaEnds';

describe('Function: answerBody', () => {
  it('parses a JSON answer, and gives undefined for one that is not JSON, which readSagaAnswer calls a fault', () => {
    expect(answerBody('{"error":"Not enough money on the account"}')).toEqual({
      error: 'Not enough money on the account',
    });
    expect(answerBody('<html>Bad Gateway</html>')).toBeUndefined();
    expect(answerBody('')).toBeUndefined();
    expect(readSagaAnswer('order', 502, answerBody(''))).toEqual({ kind: 'fault', reason: 'unparsable answer (502)' });
  });
});
