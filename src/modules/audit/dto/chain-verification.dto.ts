import { ApiProperty } from '@nestjs/swagger';

export class ChainVerificationDto {
  @ApiProperty({ example: true, description: 'Whether every checked entry fits the chain' })
  valid: boolean;

  @ApiProperty({ example: 1520, description: 'Entries checked' })
  checked: number;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Id of the first entry that does not fit' })
  firstBrokenId: string | null;
}
