/**
 * Vega-Lite specs as the server sends them, made readable when a series has a single point: a
 * line through one point draws nothing (an empty axis), so every series of one point gets a
 * dot and its value written beside it, whatever the template (linear, simple, smooth,
 * scatter, or a metric's step curve).
 */

type Spec = { [key: string]: unknown };

/** The marks of one series drawn as a curve or as points. */
const SERIES_MARKS = new Set(['line', 'point', 'area', 'circle', 'trail']);
/** Encodings that split the data into series. */
const SERIES_CHANNELS = ['color', 'strokeDash', 'detail', 'shape'];
const COUNT = '__nbvc_points';

function isObject(value: unknown): value is Spec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldOf(channel: unknown): string | null {
  return isObject(channel) && typeof channel.field === 'string'
    ? channel.field
    : null;
}

/**
 * `spec` with lone points marked and labelled, as a layer over the original mark; specs that
 * are not a single x/y series chart (bars, heat maps, images, layered or faceted ones) are
 * returned unchanged.
 */
export function withLonePoints(spec: Spec): Spec {
  const mark = isObject(spec.mark)
    ? spec.mark
    : typeof spec.mark === 'string'
      ? { type: spec.mark }
      : null;
  const encoding = isObject(spec.encoding) ? spec.encoding : null;
  if (
    mark === null ||
    encoding === null ||
    !SERIES_MARKS.has(String(mark.type)) ||
    fieldOf(encoding.x) === null ||
    fieldOf(encoding.y) === null ||
    'layer' in spec ||
    'facet' in spec
  ) {
    return spec;
  }
  const groups = SERIES_CHANNELS.map(name => fieldOf(encoding[name])).filter(
    (field): field is string => field !== null
  );
  const y = encoding.y as Spec;
  const { mark: _mark, encoding: _encoding, transform, params, ...rest } = spec;
  void _mark;
  void _encoding;
  const original: Spec = { mark: spec.mark, encoding };
  if (transform !== undefined) {
    original.transform = transform;
  }
  if (params !== undefined) {
    original.params = params;
  }
  // the raw points (not a smoothed curve), only of the series that have just one
  const lone = [
    {
      joinaggregate: [{ op: 'count', as: COUNT }],
      groupby: groups
    },
    { filter: `datum.${COUNT} === 1` }
  ];
  const where = { x: encoding.x, y: encoding.y };
  const color = encoding.color === undefined ? {} : { color: encoding.color };
  return {
    ...rest,
    layer: [
      original,
      {
        transform: lone,
        mark: { type: 'point', filled: true, size: 80, tooltip: true },
        encoding: { ...where, ...color }
      },
      {
        transform: lone,
        mark: {
          type: 'text',
          align: 'left',
          dx: 8,
          dy: -8,
          fontWeight: 'bold'
        },
        encoding: {
          ...where,
          ...color,
          text: { field: y.field, type: 'quantitative', format: '.4~g' }
        }
      }
    ]
  };
}
