import { COMMERCIAL_FIELDS } from './access.rules';

/** One change of a record as the history shows it. */
export interface HistoryEntryView {
  action: string;
  entityType: string;
  changedFields: string[];
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  reason: string | null;
}

export interface HistoryViewOptions {
  /** Leave out the commercial record (for service). */
  hideCommercial: boolean;
  /** Tags whose names the viewer may not read: somebody else's personal tags. */
  hiddenTagIds: ReadonlySet<string>;
}

interface TagRef {
  id: string;
  name?: string | null;
  [key: string]: unknown;
}

const isTagRef = (value: unknown): value is TagRef => typeof value === 'object' && value !== null && typeof (value as TagRef).id === 'string';

/** The tag ids a customer.tags entry names, before and after. */
export function tagIdsIn(entry: Pick<HistoryEntryView, 'action' | 'before' | 'after'>): string[] {
  if (entry.action !== 'customer.tags') return [];
  return [entry.before, entry.after].flatMap((side) => (Array.isArray(side?.tags) ? side.tags.filter(isTagRef).map((t) => t.id) : []));
}

/**
 * What a viewer may read of one history entry: the commercial record of a customer is left out for
 * those who may not receive it, and somebody else's personal tag shows that it changed, not its name.
 */
export function viewHistoryEntry<T extends HistoryEntryView>(entry: T, options: HistoryViewOptions): T {
  let view = entry;
  if (options.hideCommercial && entry.entityType === 'customer') {
    const strip = (side: Record<string, unknown> | null) => {
      if (!side) return side;
      const copy = { ...side };
      for (const field of COMMERCIAL_FIELDS) delete copy[field];
      return copy;
    };
    view = {
      ...view,
      before: strip(view.before),
      after: strip(view.after),
      changedFields: view.changedFields.filter((f) => !(COMMERCIAL_FIELDS as readonly string[]).includes(f)),
    };
  }
  const hidden = tagIdsIn(view).filter((id) => options.hiddenTagIds.has(id));
  if (hidden.length > 0) {
    const names: string[] = [];
    const redact = (side: Record<string, unknown> | null) => {
      if (!side || !Array.isArray(side.tags)) return side;
      return {
        ...side,
        tags: side.tags.map((t: unknown) => {
          if (!isTagRef(t) || !options.hiddenTagIds.has(t.id)) return t;
          if (typeof t.name === 'string') names.push(t.name);
          return { ...t, name: null, personal: true };
        }),
      };
    };
    view = { ...view, before: redact(view.before), after: redact(view.after) };
    if (view.reason) view = { ...view, reason: names.reduce((text, name) => text.split(name).join('(personal tag)'), view.reason) };
  }
  return view;
}
