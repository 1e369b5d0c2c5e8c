import { ApiProperty } from '@nestjs/swagger';
import { ProblemDto } from '../../../common/errors/problem.dto';
import { DuplicateDto } from './customer.dto';

export class DuplicateProblemDto extends ProblemDto {
  @ApiProperty({ type: [DuplicateDto], description: 'The matching customers: id, name, owner and what matched, nothing more' })
  duplicates: DuplicateDto[];
}
