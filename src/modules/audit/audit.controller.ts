import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../common/auth/decorators';
import { ChainVerificationDto } from './dto/chain-verification.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@Controller('audit-logs')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('verify')
  @Roles('auditor', 'admin')
  @ApiOperation({ operationId: 'verifyAuditChain', summary: 'Recompute the hash chain of the audit log' })
  @ApiOkResponse({ type: ChainVerificationDto })
  verifyAuditChain(): Promise<ChainVerificationDto> {
    return this.audit.verifyChain();
  }
}
