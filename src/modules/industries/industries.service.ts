import { Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { Transactions } from '../../database/transactions';
import { AuditService } from '../audit';
import { IndustriesRepository } from './industries.repository';
import { listProblem, resolveIndustry } from './industries.rules';
import { IndustryDto, ReplaceIndustriesDto } from './dto/industry.dto';

const toDto = (i: { code: string; name: string }): IndustryDto => ({ code: i.code, name: i.name });

@Injectable()
export class IndustriesService {
  constructor(
    private readonly industries: IndustriesRepository,
    private readonly audit: AuditService,
    private readonly transactions: Transactions,
  ) {}

  async list(): Promise<IndustryDto[]> {
    return (await this.industries.findAll()).map(toDto);
  }

  /** The whole list at once (an admin's decision, audited with the list before and after). */
  replace(dto: ReplaceIndustriesDto): Promise<IndustryDto[]> {
    const problem = listProblem(dto.industries);
    if (problem) throw new DomainError('VALIDATION_FAILED', problem, { errors: [{ field: 'industries', message: problem }] });
    return this.transactions.run(async () => {
      const before = (await this.industries.lockAll()).map(toDto);
      await this.industries.replaceAll(dto.industries);
      const after = (await this.industries.findAll()).map(toDto);
      await this.audit.record({ action: 'industry_list.replace', entityType: 'industry_list', entityId: 'default', before: { industries: before }, after: { industries: after }, reason: dto.reason });
      return after;
    });
  }

  /**
   * The list's name for a customer's `industry` (a name of the list, or a code standing for its
   * name); 400 VALIDATION_FAILED naming `industry` otherwise.
   */
  async requireListed(given: string): Promise<string> {
    const name = resolveIndustry(await this.industries.findAll(), given);
    if (name === undefined) {
      const message = 'industry must be a name (or code) of GET /api/v1/industries';
      throw new DomainError('VALIDATION_FAILED', message, { errors: [{ field: 'industry', message }] });
    }
    return name;
  }
}
