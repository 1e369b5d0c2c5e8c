import { ObjectLiteral, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

/**
 * Compare-and-set on `version`: applies `changes` to row `id` only while its version is still
 * `version` (or unconditionally when `version` is undefined), bumping version and updated_at.
 * Returns whether the row was changed: false means it is gone or someone changed it meanwhile.
 */
export async function updateVersioned<T extends ObjectLiteral>(
  repo: Repository<T>,
  id: string,
  version: number | undefined,
  changes: Partial<T>,
): Promise<boolean> {
  const query = repo
    .createQueryBuilder()
    .update()
    .set({ ...(changes as object), version: () => 'version + 1', updatedAt: () => 'now()' } as QueryDeepPartialEntity<T>)
    .where('id = :id', { id });
  if (version !== undefined) query.andWhere('version = :version', { version });
  const result = await query.execute();
  return (result.affected ?? 0) > 0;
}
