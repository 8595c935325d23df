import { describe, expect, it } from 'vitest';
import { Bindings, matchMetricsText, parseExamples } from './http-examples';

const ID_A = 'a6c7ed8b-278c-4b85-9c07-14d5d8b6308a';
const ID_B = '0f8e2a4c-6b1d-4e3f-9a5c-7d2b8e1f4a60';
const REAL_1 = '11111111-1111-4111-8111-111111111111';
const REAL_2 = '22222222-2222-4222-8222-222222222222';

describe('parseExamples', () => {
  it('reads request and response blocks with headers and bodies', () => {
    const doc = ['text', '```http', 'POST /x?a=1 HTTP/1.1', 'Host: h', 'A: b: c', '', '{"k": 1}', '```', '```http', 'HTTP/1.1 204 No Content', '```'].join('\n');
    expect(parseExamples(doc)).toEqual([
      {
        line: 2,
        request: { method: 'POST', path: '/x?a=1', headers: [['Host', 'h'], ['A', 'b: c']], body: '{"k": 1}' },
        response: { status: 204, headers: [], body: '' },
      },
    ]);
  });

  it('names the line of a malformed example', () => {
    const request = ['```http', 'GET /x HTTP/1.1', '```'];
    expect(() => parseExamples(request.join('\n'))).toThrow('line 1: a request block needs a response block after it');
    expect(() => parseExamples([...request, '```http', 'HTTP/1.1 200 Fine', '```'].join('\n'))).toThrow(
      'line 4: the reason phrase of 200 is "OK"',
    );
    expect(() => parseExamples([...request, '```http', 'GET /y HTTP/1.1', '```'].join('\n'))).toThrow('line 4: expected "HTTP/1.1 STATUS Reason"');
  });
});

describe('Bindings', () => {
  it('binds a documented UUID on first sight and holds it to that value', () => {
    const b = new Bindings();
    expect(b.matchString(`/push_${ID_A}`, `/push_${REAL_1}`)).toBe(true);
    expect(b.apply(`/pushbacks/${ID_A}`)).toBe(`/pushbacks/${REAL_1}`);
    expect(b.matchString(ID_A, REAL_2)).toBe(false);
    expect(b.matchJson({ a: ID_A, b: ID_B }, { a: REAL_1, b: REAL_2 })).toEqual([]);
    expect(b.matchJson({ b: ID_B }, { b: REAL_1 })).toEqual([`body.b: documented "${ID_B}", got "${REAL_1}"`]);
    expect(b.matchString(`${ID_A}`, 'not-a-uuid')).toBe(false);
  });

  it('holds fixed ids to themselves and matches times by shape, everything else exactly', () => {
    const b = new Bindings([ID_A]);
    expect(b.matchString(ID_A, REAL_1)).toBe(false);
    expect(b.matchJson({ at: '2025-03-24T15:31:43.059Z', n: 1 }, { at: '2031-01-01T00:00:00.000Z', n: 1 })).toEqual([]);
    expect(b.matchJson({ n: 1 }, { n: 2 })).toEqual(['body.n: documented 1, got 2']);
    expect(b.matchJson({ n: 1 }, { n: 1, extra: true })).toEqual(['body: documented keys n, got extra, n']);
    expect(b.matchJson([1, 2], [1])).toEqual(['body: documented 2 items, got [1]']);
  });
});

describe('matchMetricsText', () => {
  it('needs every documented TYPE line and series, whatever the values', () => {
    const actual = '# TYPE a_total counter\na_total{r="x"} 7\nb 1\n';
    expect(matchMetricsText('# TYPE a_total counter\na_total{r="x"} 2', actual)).toEqual([]);
    expect(matchMetricsText('# TYPE a_total gauge\na_total{r="y"} 2', actual)).toEqual([
      'missing line: # TYPE a_total gauge',
      'missing series: a_total{r="y"}',
    ]);
  });
});
