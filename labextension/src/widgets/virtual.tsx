import * as React from 'react';

/** Rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 8;

export interface IVirtualListProps {
  /** Used for row element ids (`aria-activedescendant`). */
  id: string;
  label: string;
  count: number;
  /** Every row has this height (px): the list's height never depends on its content. */
  rowHeight: number;
  /** The row with keyboard focus (-1: none). */
  active: number;
  onActive(index: number): void;
  /** Enter or Space on the active row. */
  onActivate?(index: number, key: 'Enter' | ' '): void;
  /** The rows now rendered (to load them if they are fetched lazily). */
  onRange?(start: number, end: number): void;
  renderRow(index: number): React.ReactElement;
  /** Whether a row is selected (`aria-selected`). */
  isSelected?(index: number): boolean;
  className?: string;
  role?: 'listbox' | 'grid';
  /** No taller than its rows: what follows the list comes right after its last row. */
  fitContent?: boolean;
}

/**
 * A list that renders only the rows in view: thousands of rows cost what a screenful does.
 * The list itself takes the focus (one tab stop); arrow keys, Home, End and Page Up/Down move
 * the active row, which stays in view.
 */
export function VirtualList(props: IVirtualListProps): React.ReactElement {
  const node = React.useRef<HTMLDivElement>(null);
  const [top, setTop] = React.useState(0);
  const [height, setHeight] = React.useState(400);
  const { count, rowHeight, onRange } = props;

  React.useEffect(() => {
    const element = node.current;
    if (!element) {
      return;
    }
    const observer = new ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    setHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  const start = Math.max(0, Math.floor(top / rowHeight) - OVERSCAN);
  const end = Math.min(count, Math.ceil((top + height) / rowHeight) + OVERSCAN);

  React.useEffect(() => {
    onRange?.(start, end);
  }, [start, end, count, onRange]);

  const scrollTo = (index: number): void => {
    const element = node.current;
    if (!element) {
      return;
    }
    const rowTop = index * rowHeight;
    if (rowTop < element.scrollTop) {
      element.scrollTop = rowTop;
    } else if (rowTop + rowHeight > element.scrollTop + element.clientHeight) {
      element.scrollTop = rowTop + rowHeight - element.clientHeight;
    }
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLDivElement>): void => {
    if (event.target !== event.currentTarget || count === 0) {
      return; // keys typed into a control inside a row are the control's
    }
    const page = Math.max(1, Math.floor(height / rowHeight) - 1);
    const moves: Record<string, number> = {
      ArrowDown: props.active + 1,
      ArrowUp: props.active - 1,
      PageDown: props.active + page,
      PageUp: props.active - page,
      Home: 0,
      End: count - 1
    };
    if (event.key in moves) {
      event.preventDefault();
      const next = Math.min(count - 1, Math.max(0, moves[event.key]));
      props.onActive(next);
      scrollTo(next);
    } else if (
      (event.key === 'Enter' || event.key === ' ') &&
      props.active >= 0 &&
      props.active < count
    ) {
      event.preventDefault();
      props.onActivate?.(props.active, event.key);
    }
  };

  const rows: React.ReactElement[] = [];
  for (let index = start; index < end; index++) {
    rows.push(
      <div
        key={index}
        id={`${props.id}-row-${index}`}
        className="jp-nbvc-vrow"
        role={props.role === 'grid' ? 'row' : 'option'}
        aria-rowindex={props.role === 'grid' ? index + 2 : undefined}
        aria-selected={props.isSelected?.(index) ?? false}
        data-active={index === props.active ? 'true' : undefined}
        style={{ top: index * rowHeight, height: rowHeight }}
        onMouseDown={() => props.onActive(index)}
      >
        {props.renderRow(index)}
      </div>
    );
  }
  const activeId =
    props.active >= start && props.active < end
      ? `${props.id}-row-${props.active}`
      : undefined;
  return (
    <div
      ref={node}
      className={`jp-nbvc-vlist ${props.className ?? ''}`}
      role={props.role ?? 'listbox'}
      aria-label={props.label}
      aria-activedescendant={activeId}
      aria-rowcount={props.role === 'grid' ? count : undefined}
      style={props.fitContent ? { maxHeight: count * rowHeight } : undefined}
      tabIndex={0}
      onScroll={event => setTop(event.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div className="jp-nbvc-vspacer" style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
