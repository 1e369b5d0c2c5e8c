import { Init1763805600000 } from './1763805600000-Init';

/** Every migration, in order. `npm run migration:generate` appends new ones here. */
export const MIGRATIONS = [Init1763805600000];
