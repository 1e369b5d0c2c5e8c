/** Tag and group names: trimmed, inner spaces collapsed, 1–30 characters, no control characters or commas. */
export function cleanTagName(raw: string): string {
  return raw.normalize('NFKC').trim().replace(/\s+/g, ' ');
}

export function tagNameProblem(name: string): string | undefined {
  if (name.length < 1 || name.length > 30) return 'must be 1 to 30 characters';
  // The case-folded key is stored too (varchar 30), and lower-casing can lengthen a name (İ becomes i̇).
  if (tagNameKey(name).length > 30) return 'must stay within 30 characters once lower-cased';
  // Commas would split a tag in filters and CSV exports; control characters are invisible.
  if (/[,，\p{Cc}]/u.test(name)) return 'may not contain commas or control characters';
  return undefined;
}

/** What uniqueness is decided on: case-folded. */
export function tagNameKey(name: string): string {
  return cleanTagName(name).toLowerCase();
}

/** Tags to add that share an exclusive group: a customer could not carry both. */
export function exclusiveClashes(added: { id: string; groupId: string; exclusive: boolean }[]): string[] {
  const seen = new Map<string, string>();
  const clashes: string[] = [];
  for (const tag of added.filter((t) => t.exclusive)) {
    if (seen.has(tag.groupId)) clashes.push(tag.id);
    else seen.set(tag.groupId, tag.id);
  }
  return clashes;
}
