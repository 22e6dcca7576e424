import { describe, expect, it } from 'vitest';
import { Frame } from '../../src/data/frame.js';
import { DatetimeParts } from '../../src/preprocess/datetime.js';
import { close, dt, expectSameTransform, num, somaError, values } from './helpers.js';

describe('datetime', () => {
  // 2024-03-16 is a Saturday; 2023-12-31 a Sunday; 2024-07-01 a Monday.
  const f = new Frame([dt('when', ['2024-03-16T13:45:00Z', '2023-12-31T00:00:00Z', '2024-07-01T23:59:00Z', null]), num('y', [1, 2, 3, 4])]);

  it('when parts are asked for, then each becomes <column>_<part> after the column, in UTC, Monday = 0', () => {
    const t = new DatetimeParts({ parts: ['year', 'month', 'quarter', 'day', 'dayofweek', 'dayofyear', 'hour', 'minute', 'weekend'] });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['when', 'when_year', 'when_month', 'when_quarter', 'when_day', 'when_dayofweek', 'when_dayofyear', 'when_hour', 'when_minute', 'when_weekend', 'y']);
    expect(values(out, 'when_year')).toEqual([2024, 2023, 2024, null]);
    expect(values(out, 'when_month')).toEqual([3, 12, 7, null]);
    expect(values(out, 'when_quarter')).toEqual([1, 4, 3, null]);
    expect(values(out, 'when_day')).toEqual([16, 31, 1, null]);
    expect(values(out, 'when_dayofweek')).toEqual([5, 6, 0, null]);
    expect(values(out, 'when_dayofyear')).toEqual([76, 365, 183, null]);
    expect(values(out, 'when_hour')).toEqual([13, 0, 23, null]);
    expect(values(out, 'when_minute')).toEqual([45, 0, 59, null]);
    expect(values(out, 'when_weekend')).toEqual([1, 1, 0, null]);
    expectSameTransform(t, f);
  });

  it('when cyclical is true, then periodic parts get sin/cos so December neighbours January', () => {
    const t = new DatetimeParts({ parts: ['month', 'year'], cyclical: true });
    t.fit(f);
    const out = t.transform(f);
    expect(out.names).toEqual(['when', 'when_month', 'when_month_sin', 'when_month_cos', 'when_year', 'y']);
    // month 3: angle 2 * 2pi / 12; month 12: angle 11 * 2pi / 12.
    close(values(out, 'when_month_sin'), [Math.sin(Math.PI / 3), Math.sin((11 * Math.PI) / 6), Math.sin(Math.PI), NaN]);
    close(values(out, 'when_month_cos'), [Math.cos(Math.PI / 3), Math.cos((11 * Math.PI) / 6), Math.cos(Math.PI), NaN]);
  });

  it('when keep is false, then the datetime column is replaced by its parts', () => {
    const t = new DatetimeParts({ parts: ['year'], keep: false });
    t.fit(f);
    expect(t.transform(f).names).toEqual(['when_year', 'y']);
  });

  it('when a part is unknown or a named column is not a datetime, then the error says which', () => {
    expect(somaError(() => new DatetimeParts({ parts: ['week'] })).message).toMatch(/parts \["week"\] is not valid \(expected a non-empty list of year, month/);
    expect(somaError(() => new DatetimeParts({ columns: ['y'] }).fit(f)).message).toMatch(/column "y" is numeric/);
  });
});
