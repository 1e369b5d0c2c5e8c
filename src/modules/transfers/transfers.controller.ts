import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { RequestTransferDto, SuccessionDto, TransferDto, TransferPageDto, UnassignedCustomerDto } from './dto/transfer.dto';
import { TransfersService } from './transfers.service';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { SHOWN } from '../../common/limits';
import { Idempotent } from '../idempotency';

@ApiTags('transfers')
@Controller('transfers')
export class TransfersController {
  constructor(private readonly transfers: TransfersService) {}

  @Post()
  @Idempotent()
  @HttpCode(202)
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'requestTransfer', summary: 'Ask to hand customers over to another user (在职移交); goes to approval' })
  @ApiAcceptedResponse({ type: TransferDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'TRANSFER_REFUSED (with a reason per customer), TARGET_INVALID, or NO_INDEPENDENT_APPROVER (no different person for each department step)' })
  requestTransfer(@CurrentUser() caller: AuthUser, @Body() dto: RequestTransferDto): Promise<TransferDto> {
    return this.transfers.request(caller, dto);
  }

  @Post('succession')
  @Idempotent()
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'assignSuccessor', summary: 'Hand a deactivated user\'s customers to a successor (离职继承), at once' })
  @ApiOkResponse({ type: TransferDto })
  assignSuccessor(@CurrentUser() caller: AuthUser, @Body() dto: SuccessionDto): Promise<TransferDto> {
    return this.transfers.succession(caller, dto);
  }

  @Get('unassigned')
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'listUnassignedCustomers', summary: 'Customers of deactivated users, awaiting a successor' })
  @ApiOkArray(UnassignedCustomerDto, SHOWN.unassigned, `At most ${SHOWN.unassigned}; succeed them and the list shows the next`)
  listUnassignedCustomers(@CurrentUser() caller: AuthUser): Promise<UnassignedCustomerDto[]> {
    return this.transfers.unassigned(caller);
  }

  @Get()
  @Roles('admin', 'manager', 'sales', 'auditor')
  @ApiOperation({ operationId: 'listTransfers', summary: 'Transfers involving customers you may see, newest first' })
  @ApiOkResponse({ type: TransferPageDto })
  listTransfers(@CurrentUser() caller: AuthUser, @Query() page: PageQueryDto): Promise<TransferPageDto> {
    return this.transfers.list(caller, page);
  }

  @Get(':id')
  @Roles('admin', 'manager', 'sales', 'auditor')
  @ApiOperation({ operationId: 'getTransfer', summary: 'One transfer with its customers and what became of each' })
  @ApiOkResponse({ type: TransferDto })
  getTransfer(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<TransferDto> {
    return this.transfers.get(caller, id);
  }
}
