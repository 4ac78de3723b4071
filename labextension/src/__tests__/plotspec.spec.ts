import { withLonePoints } from '../widgets/plotspec';

type Spec = { [key: string]: unknown };

function line(mark: unknown, extra: Spec = {}): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'loss',
    data: { values: [{ rev: 'a', step: 0, loss: 0.5 }] },
    mark,
    encoding: {
      x: { field: 'step', type: 'quantitative' },
      y: { field: 'loss', type: 'quantitative' },
      color: { field: 'rev', type: 'nominal' }
    },
    ...extra
  };
}

describe('charts with one point', () => {
  it.each([
    ['linear', { type: 'line', point: true, tooltip: true }],
    ['simple', { type: 'line', tooltip: true }],
    ['scatter', { type: 'point', tooltip: true }],
    ['a bare mark', 'line']
  ])('mark and label lone points of the %s template', (_name, mark) => {
    const spec = withLonePoints(line(mark));
    expect(spec.mark).toBeUndefined();
    expect(spec.title).toBe('loss');
    expect(spec.data).toEqual({
      values: [{ rev: 'a', step: 0, loss: 0.5 }]
    });
    const [original, dot, text] = spec.layer as Spec[];
    expect(original.mark).toEqual(mark);
    expect((dot.mark as Spec).type).toBe('point');
    expect((text.mark as Spec).type).toBe('text');
    expect((text.encoding as Spec).text).toMatchObject({ field: 'loss' });
    // only the series (one per rev) that have a single point
    expect(dot.transform).toEqual([
      {
        joinaggregate: [{ op: 'count', as: '__nbvc_points' }],
        groupby: ['rev']
      },
      { filter: 'datum.__nbvc_points === 1' }
    ]);
  });

  it('keeps the smooth template on the curve only, and the zoom on the first layer', () => {
    const loess = [{ loess: 'loss', on: 'step', groupby: ['rev', 'series'] }];
    const zoom = [{ name: 'grid', select: 'interval', bind: 'scales' }];
    const spec = withLonePoints(
      line({ type: 'line' }, { transform: loess, params: zoom })
    );
    const [original, dot] = spec.layer as Spec[];
    expect(original.transform).toEqual(loess);
    expect(original.params).toEqual(zoom);
    expect(spec.transform).toBeUndefined();
    expect(spec.params).toBeUndefined();
    expect((dot.transform as Spec[])[0]).toMatchObject({ groupby: ['rev'] });
  });

  it('groups by every channel that splits series', () => {
    const spec = line({ type: 'line' });
    (spec.encoding as Spec).strokeDash = { field: 'series', type: 'nominal' };
    const [, dot] = withLonePoints(spec).layer as Spec[];
    expect((dot.transform as Spec[])[0]).toMatchObject({
      groupby: ['rev', 'series']
    });
  });

  it('leaves bars, heat maps, images and layered specs alone', () => {
    const bars = line({ type: 'bar' });
    expect(withLonePoints(bars)).toBe(bars);
    const layered = { layer: [line('line')], mark: 'line' };
    expect(withLonePoints(layered)).toBe(layered);
    const faceted = { facet: {}, spec: line('rect') };
    expect(withLonePoints(faceted)).toBe(faceted);
    const noY = line('line');
    delete (noY.encoding as Spec).y;
    expect(withLonePoints(noY)).toBe(noY);
  });
});
