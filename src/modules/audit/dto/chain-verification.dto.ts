import { ApiProperty } from '@nestjs/swagger';
import { CheckpointMismatchDto } from './checkpoint.dto';
import { AUDIT_LIMITS } from '../audit.rules';

export class ChainVerificationDto {
  @ApiProperty({ example: true, description: 'Whether every checked entry fits the chain, and every signed checkpoint of the range fits the entries' })
  valid: boolean;

  @ApiProperty({ example: 1520, description: 'Entries checked' })
  checked: number;

  @ApiProperty({ maxLength: AUDIT_LIMITS.id, pattern: '^[0-9]+$', type: String, nullable: true, example: null, description: 'Id of the first entry that does not fit' })
  firstBrokenId: string | null;

  @ApiProperty({ example: 24, description: 'Signed checkpoints compared with the chain (those whose entry lies in the range; without `to`, also any beyond the head)' })
  checkpointsChecked: number;

  @ApiProperty({ type: CheckpointMismatchDto, nullable: true, example: null, description: 'The oldest checkpoint that does not fit: entries up to it were rewritten, even if the chain itself recomputes' })
  checkpointMismatch: CheckpointMismatchDto | null;
}
