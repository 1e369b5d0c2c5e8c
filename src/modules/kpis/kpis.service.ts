import { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import { stringify } from 'csv-stringify';
import type { AuthUser } from '../../common/auth/roles';
import { DomainError } from '../../common/errors/domain-error';
import { spreadsheetSafe } from '../../common/http/spreadsheet';
import { Transactions } from '../../database/transactions';
import { CustomerAccess, supervisionFilterOutOfReach } from '../access';
import { KPI_CSV_COLUMNS, kpiFigures, periodProblem } from './kpi.rules';
import { KpisRepository } from './kpis.repository';
import { KPI_ROWS_MAX, KpiQueryDto, KpiReportDto, KpiRowDto } from './dto/kpi.dto';

const invalid = (field: string, message: string) => new DomainError('VALIDATION_FAILED', message, { errors: [{ field, message }] });

/** KPIs per owner or department (issue 17): each figure one aggregate in SQL over the caller's scope. */
@Injectable()
export class KpisService {
  constructor(
    private readonly repository: KpisRepository,
    private readonly access: CustomerAccess,
    private readonly transactions: Transactions,
  ) {}

  report(caller: AuthUser, query: KpiQueryDto): Promise<KpiReportDto> {
    const from = new Date(query.from);
    const to = new Date(query.to);
    const problem = periodProblem(from, to);
    if (problem) throw invalid(problem.startsWith('from') ? 'from' : 'to', problem);
    const groupBy = query.groupBy ?? 'owner';
    return this.transactions.run(async () => {
      // The rollup counts whole days of the company's time zone: a bound inside a day would be a guess.
      const days = await this.repository.periodDays(from.toISOString(), to.toISOString());
      for (const [field, ok] of [['from', days.fromIsMidnight], ['to', days.toIsMidnight]] as const) {
        if (!ok) throw invalid(field, `${field} must be midnight (the start of a day) in the company's time zone`);
      }
      const ownerDepartmentId = query.ownerId === undefined ? undefined : await this.repository.userDepartment(query.ownerId);
      const out = supervisionFilterOutOfReach(caller, { departmentId: query.departmentId, ownerId: query.ownerId, ownerDepartmentId });
      if (out === 'department') throw new DomainError('NOT_FOUND', 'Department was not found', { errors: [{ field: 'departmentId', message: 'departmentId does not name a department you can see' }] });
      if (out === 'owner') throw new DomainError('NOT_FOUND', 'User was not found', { errors: [{ field: 'ownerId', message: 'ownerId does not name someone whose figures you can see' }] });
      const scope = this.access.figureScope(caller, 'c');
      const parts = [scope.where];
      const params: Record<string, unknown> = { ...scope.params };
      if (query.departmentId) (parts.push('c.department_id = :kpiDepartmentId'), (params.kpiDepartmentId = query.departmentId));
      if (query.ownerId) (parts.push('c.owner_id = :kpiOwnerId'), (params.kpiOwnerId = query.ownerId));
      const everyone = caller.role === 'admin' || caller.role === 'auditor';
      const rows = await this.repository.totals({
        customers: { where: parts.join(' AND '), params },
        people: {
          userId: query.ownerId ?? (caller.role === 'sales' ? caller.id : null),
          departmentId: query.departmentId ?? (everyone ? null : caller.departmentId),
        },
        from: from.toISOString(),
        to: to.toISOString(),
        fromDay: days.fromDay,
        toDay: days.toDay,
        groupBy,
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        groupBy,
        rows: rows.slice(0, KPI_ROWS_MAX).map(({ key: _key, totals, ...group }): KpiRowDto => ({ ...group, ...kpiFigures(totals) })),
      };
    });
  }

  /** The same figures as CSV (UTF-8 with BOM, for Excel and WPS), every text cell guarded against formulas. */
  async exportCsv(caller: AuthUser, query: KpiQueryDto): Promise<{ filename: string; body: Readable }> {
    const report = await this.report(caller, query);
    const cell = (value: unknown) => (value === null || value === undefined ? '' : typeof value === 'string' ? spreadsheetSafe(value) : String(value));
    const csv = stringify({ header: true, columns: [...KPI_CSV_COLUMNS], bom: true });
    const rows = Readable.from(report.rows.map((row) => KPI_CSV_COLUMNS.map((column) => cell(row[column as keyof KpiRowDto]))));
    rows.pipe(csv);
    return { filename: `kpis-${report.groupBy}-${report.from.slice(0, 10)}-${report.to.slice(0, 10)}.csv`, body: csv };
  }
}
