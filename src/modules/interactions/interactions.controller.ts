import { Body, Controller, Get, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { CorrectInteractionDto, InteractionDto, InteractionPageDto, InteractionVersionDto, ListInteractionsQueryDto, RecordInteractionDto } from './dto/interaction.dto';
import { InteractionsService } from './interactions.service';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { LIMITS } from '../../common/limits';
import { Idempotent } from '../idempotency';

const READERS = ['admin', 'manager', 'sales', 'service', 'auditor'] as const;
const WRITERS = ['admin', 'manager', 'sales', 'service'] as const;

@ApiTags('interactions')
@Controller()
export class InteractionsController {
  constructor(private readonly interactions: InteractionsService) {}

  @Post('customers/:id/interactions')
  @Idempotent()
  @Roles(...WRITERS)
  @ApiOperation({ operationId: 'recordInteraction', summary: 'Record a contact with the customer (updates its last interaction and next follow-up)' })
  @ApiCreatedResponse({ type: InteractionDto })
  recordInteraction(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: RecordInteractionDto): Promise<InteractionDto> {
    return this.interactions.record(caller, id, dto);
  }

  @Get('customers/:id/interactions')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listCustomerInteractions', summary: 'Interaction records of one customer, newest first' })
  @ApiOkResponse({ type: InteractionPageDto })
  listCustomerInteractions(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Query() page: PageQueryDto): Promise<InteractionPageDto> {
    return this.interactions.listForCustomer(caller, id, page);
  }

  @Get('interactions')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listInteractions', summary: 'Interaction records of the customers you may see, newest first' })
  @ApiOkResponse({ type: InteractionPageDto })
  listInteractions(@CurrentUser() caller: AuthUser, @Query() query: ListInteractionsQueryDto): Promise<InteractionPageDto> {
    return this.interactions.list(caller, query);
  }

  @Patch('interactions/:id')
  @Roles(...WRITERS)
  @ApiOperation({ operationId: 'correctInteraction', summary: 'Correct your own record: a new version; the one it replaces is kept (see versions)' })
  @ApiOkResponse({ type: InteractionDto })
  correctInteraction(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: CorrectInteractionDto): Promise<InteractionDto> {
    return this.interactions.correct(caller, id, dto);
  }

  @Get('interactions/:id/versions')
  @Roles(...READERS)
  @ApiOperation({ operationId: 'listInteractionVersions', summary: 'Every version of a record, oldest first; 404 unless you may read the customer\'s interactions' })
  @ApiOkArray(InteractionVersionDto, LIMITS.interactionVersions, `At most ${LIMITS.interactionVersions} versions: a record takes no more corrections (422 LIMIT_REACHED)`)
  listInteractionVersions(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<InteractionVersionDto[]> {
    return this.interactions.versions(caller, id);
  }
}
