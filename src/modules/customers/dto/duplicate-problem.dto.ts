import { ApiProperty } from '@nestjs/swagger';
import { ProblemDto } from '../../../common/errors/problem.dto';
import { DuplicateDto } from './customer.dto';
import { SHOWN } from '../../../common/limits';

export class DuplicateProblemDto extends ProblemDto {
  @ApiProperty({ maxItems: SHOWN.duplicates, type: [DuplicateDto], description: 'The matching customers: id, name, owner and what matched, nothing more' })
  duplicates: DuplicateDto[];
}
