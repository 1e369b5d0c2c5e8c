import { Injectable } from '@nestjs/common';
import { DomainError, notFound } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { DepartmentsRepository } from './departments.repository';
import { CreateDepartmentDto, DepartmentDto, UpdateDepartmentDto } from './dto/department.dto';
import { LIMITS, requireBelowLimit } from '../../common/limits';

@Injectable()
export class DepartmentsService {
  constructor(
    private readonly departments: DepartmentsRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async list(): Promise<DepartmentDto[]> {
    return (await this.departments.findAll()).map(DepartmentDto.from);
  }

  async get(id: string): Promise<DepartmentDto> {
    const department = await this.departments.findById(id);
    if (!department) throw notFound('Department');
    return DepartmentDto.from(department);
  }

  create(dto: CreateDepartmentDto): Promise<DepartmentDto> {
    return this.transactions.run(async () => {
      await requireBelowLimit(this.transactions, 'limit:departments', LIMITS.departments, () => this.departments.count(), 'departments');
      const department = DepartmentDto.from(await this.departments.insert(dto.name));
      await this.audit.record({ action: 'department.create', entityType: 'department', entityId: department.id, after: department });
      return department;
    });
  }

  update(id: string, dto: UpdateDepartmentDto): Promise<DepartmentDto> {
    return this.transactions.run(async () => {
      const current = await this.departments.findById(id);
      if (!current) throw notFound('Department');
      const updated = await this.departments.rename(id, dto.name, dto.version);
      if (!updated) throw new DomainError('VERSION_CONFLICT', `Department was changed meanwhile; current version is ${current.version}`);
      const before = DepartmentDto.from(current);
      const after = DepartmentDto.from(updated);
      await this.audit.record({ action: 'department.update', entityType: 'department', entityId: id, before, after });
      return after;
    });
  }
}
