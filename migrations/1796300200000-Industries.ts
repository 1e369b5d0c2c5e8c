import { MigrationInterface, QueryRunner } from 'typeorm';

/** GB/T 4754-2017 国民经济行业分类, the 20 sections (门类). */
const SECTIONS: [string, string][] = [
  ['A', '农、林、牧、渔业'],
  ['B', '采矿业'],
  ['C', '制造业'],
  ['D', '电力、热力、燃气及水生产和供应业'],
  ['E', '建筑业'],
  ['F', '批发和零售业'],
  ['G', '交通运输、仓储和邮政业'],
  ['H', '住宿和餐饮业'],
  ['I', '信息传输、软件和信息技术服务业'],
  ['J', '金融业'],
  ['K', '房地产业'],
  ['L', '租赁和商务服务业'],
  ['M', '科学研究和技术服务业'],
  ['N', '水利、环境和公共设施管理业'],
  ['O', '居民服务、修理和其他服务业'],
  ['P', '教育'],
  ['Q', '卫生和社会工作'],
  ['R', '文化、体育和娱乐业'],
  ['S', '公共管理、社会保障和社会组织'],
  ['T', '国际组织'],
];

/**
 * The industry list a customer's `industry` is checked against (seed 004 §2.1), seeded with the
 * top-level sections of the national classification. Existing customers keep what they have.
 */
export class Industries1796300200000 implements MigrationInterface {
  name = 'Industries1796300200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "industries" ("code" character varying(10) NOT NULL, "name" character varying(100) NOT NULL, CONSTRAINT "PK_industries_code" PRIMARY KEY ("code"))`);
    await q.query(`CREATE UNIQUE INDEX "uq_industries_name" ON "industries" ("name") `);
    await q.query(`INSERT INTO "industries" ("code", "name") SELECT * FROM unnest($1::text[], $2::text[])`, [SECTIONS.map((s) => s[0]), SECTIONS.map((s) => s[1])]);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."uq_industries_name"`);
    await q.query(`DROP TABLE "industries"`);
  }
}
