/** An industry as the list holds it. */
export interface Industry {
  code: string;
  name: string;
}

/**
 * The list's name for what a customer was given: a name of the list, or (for convenience) one of
 * its codes, which stands for that code's name. Undefined when it is neither.
 */
export function resolveIndustry(list: readonly Industry[], given: string): string | undefined {
  const value = given.trim();
  const byName = list.find((i) => i.name === value);
  if (byName) return byName.name;
  return list.find((i) => i.code.toUpperCase() === value.toUpperCase())?.name;
}

/** Why a replacement list cannot be taken (a code or name twice, or a name that is another's code), or undefined. */
export function listProblem(list: readonly Industry[]): string | undefined {
  const codes = new Set<string>();
  const names = new Set<string>();
  for (const { code, name } of list) {
    if (codes.has(code.toUpperCase())) return `code ${code} appears twice`;
    if (names.has(name)) return `name ${name} appears twice`;
    codes.add(code.toUpperCase());
    names.add(name);
  }
  const ambiguous = list.find((i) => codes.has(i.name.toUpperCase()));
  return ambiguous ? `name ${ambiguous.name} is also a code` : undefined;
}
