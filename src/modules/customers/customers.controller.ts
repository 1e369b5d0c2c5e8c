import { Body, Controller, Get, Headers, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { RETRY_AFTER_HEADER } from '../../common/http/openapi-responses';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiPreconditionFailedResponse,
  ApiResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AnyRole, ChecksUserItself, CurrentUser, Roles, TokenSubject } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { PageQueryDto } from '../../common/pagination';
import { etagOf } from './customer.rules';
import { CustomersService } from './customers.service';
import {
  ConsentDto,
  CreateCustomerDto,
  CustomerDto,
  CustomerPageDto,
  DormancySweepResultDto,
  DuplicateCheckDto,
  DuplicateCheckResultDto,
  HistoryPageDto,
  ListCustomersQueryDto,
  ReasonDto,
  RecordConsentDto,
  UpdateCustomerDto,
} from './dto/customer.dto';
import { DuplicateProblemDto } from './dto/duplicate-problem.dto';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { SHOWN } from '../../common/limits';
import { Idempotent } from '../idempotency';

@ApiTags('customers')
@Controller('customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @Idempotent()
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'createCustomer', summary: 'Create a customer with at least one contact (the creator becomes the owner)' })
  @ApiCreatedResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: DuplicateProblemDto, description: 'CUSTOMER_DUPLICATE: same normalized name, credit code, mobile or e-mail' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'OWNER_INVALID' })
  createCustomer(@CurrentUser() caller: AuthUser, @Body() dto: CreateCustomerDto): Promise<CustomerDto> {
    return this.customers.create(caller, dto);
  }

  @Post('duplicate-check')
  @HttpCode(200)
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({
    operationId: 'checkCustomerDuplicates',
    summary: 'Exact duplicates (a create would be refused) and similar names (warnings), among active customers',
    description: 'At most 5 mobiles and 5 e-mails per call, and DUPLICATE_CHECK_PER_MINUTE calls (default 30) per user and minute, per instance.',
  })
  @ApiOkResponse({ type: DuplicateCheckResultDto })
  @ApiTooManyRequestsResponse({
    type: ProblemDto,
    description: 'RATE_LIMITED: too many checks this minute (see Retry-After)',
    headers: { 'Retry-After': RETRY_AFTER_HEADER },
  })
  checkCustomerDuplicates(@CurrentUser() caller: AuthUser, @Body() dto: DuplicateCheckDto): Promise<DuplicateCheckResultDto> {
    return this.customers.checkDuplicates(caller, dto);
  }

  @Post('dormancy-sweep')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ operationId: 'sweepDormantCustomers', summary: 'Archive customers with no interaction for DORMANCY_DAYS and nothing planned (also runs daily)' })
  @ApiOkResponse({ type: DormancySweepResultDto })
  sweepDormantCustomers(): Promise<DormancySweepResultDto> {
    return this.customers.sweepDormancy();
  }

  @Get()
  @AnyRole()
  @ApiOperation({ operationId: 'listCustomers', summary: 'Customers you may see, filtered, keyset-paginated' })
  @ApiOkResponse({ type: CustomerPageDto })
  listCustomers(@CurrentUser() caller: AuthUser, @Query() query: ListCustomersQueryDto): Promise<CustomerPageDto> {
    return this.customers.list(caller, query);
  }

  @Get(':id')
  @AnyRole()
  @ChecksUserItself() // one statement for the user, the customer, its contacts and tags
  @ApiOperation({ operationId: 'getCustomer', summary: 'One customer with its contacts (personal data masked for some roles); sends an ETag' })
  @ApiOkResponse({ type: CustomerDto, headers: { ETag: { description: 'The version, for If-Match', schema: { type: 'string', maxLength: 16, example: '"3"' } } } })
  async getCustomer(@TokenSubject() subject: string, @IdParam() id: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<CustomerDto> {
    const customer = await this.customers.getAsTokenSubject(subject, id);
    void reply.header('etag', etagOf(customer.version));
    return customer;
  }

  @Patch(':id')
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'updateCustomer', summary: 'Change a customer; needs the version you read (If-Match or version)' })
  @ApiHeader({ name: 'If-Match', required: false, schema: { type: 'string', maxLength: 64 }, description: 'The ETag you read, e.g. "3"; or send version in the body' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: DuplicateProblemDto, description: 'CUSTOMER_DUPLICATE' })
  @ApiPreconditionFailedResponse({ type: ProblemDto, description: 'VERSION_CONFLICT: someone changed it since you read it' })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'REASON_REQUIRED or OWNER_INVALID' })
  @ApiResponse({ status: 428, type: ProblemDto, description: 'PRECONDITION_REQUIRED: no version given' })
  async updateCustomer(
    @CurrentUser() caller: AuthUser,
    @IdParam() id: string,
    @Body() dto: UpdateCustomerDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CustomerDto> {
    const customer = await this.customers.update(caller, id, dto, ifMatch);
    void reply.header('etag', etagOf(customer.version));
    return customer;
  }

  @Get(':id/history')
  @Roles('admin', 'manager', 'sales', 'auditor')
  @ApiOperation({ operationId: 'getCustomerHistory', summary: 'Every change of the customer and its contacts, newest first' })
  @ApiOkResponse({ type: HistoryPageDto })
  getCustomerHistory(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Query() page: PageQueryDto): Promise<HistoryPageDto> {
    return this.customers.history(caller, id, page);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @Roles('admin', 'manager')
  @ApiOperation({ operationId: 'reactivateCustomer', summary: 'Bring a customer back from the archive' })
  @ApiOkResponse({ type: CustomerDto })
  @ApiConflictResponse({ type: ProblemDto, description: 'CUSTOMER_NOT_ARCHIVED' })
  reactivateCustomer(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ReasonDto): Promise<CustomerDto> {
    return this.customers.reactivate(caller, id, dto.reason);
  }

  @Post(':id/consent')
  @HttpCode(201)
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'recordCustomerConsent', summary: 'Record marketing consent granted or withdrawn, with evidence' })
  @ApiCreatedResponse({ type: ConsentDto })
  recordCustomerConsent(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: RecordConsentDto): Promise<ConsentDto> {
    return this.customers.recordConsent(caller, id, dto);
  }

  @Get(':id/consents')
  @AnyRole()
  @ApiOperation({ operationId: 'listCustomerConsents', summary: 'Every marketing-consent change, newest first' })
  @ApiOkArray(ConsentDto, SHOWN.consents, `The newest ${SHOWN.consents} consent records, newest first (older ones are in the customer's history)`)
  listCustomerConsents(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ConsentDto[]> {
    return this.customers.listConsents(caller, id);
  }
}
