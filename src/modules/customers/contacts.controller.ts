import { Body, Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { AnyRole, CurrentUser, Roles } from '../../common/auth/decorators';
import type { AuthUser } from '../../common/auth/roles';
import { ProblemDto } from '../../common/errors/problem.dto';
import { IdParam } from '../../common/http/id-param';
import { ContactsService } from './contacts.service';
import { ContactDto, ContactInputDto, MarkContactLeftDto, UpdateContactDto } from './dto/contact.dto';
import { DuplicateProblemDto } from './dto/duplicate-problem.dto';
import { ApiOkArray } from '../../common/http/openapi-responses';
import { LIMITS } from '../../common/limits';
import { Idempotent } from '../idempotency';

@ApiTags('contacts')
@Controller()
export class ContactsController {
  constructor(private readonly contacts: ContactsService) {}

  @Get('customers/:id/contacts')
  @AnyRole()
  @ApiOperation({ operationId: 'listContacts', summary: 'Contacts of a customer, primary first (personal data masked for some roles)' })
  @ApiOkArray(ContactDto, LIMITS.contactsPerCustomer, `All contacts of the customer (at most ${LIMITS.contactsPerCustomer}: adding more is 422 LIMIT_REACHED)`)
  listContacts(@CurrentUser() caller: AuthUser, @IdParam() id: string): Promise<ContactDto[]> {
    return this.contacts.list(caller, id);
  }

  @Post('customers/:id/contacts')
  @Idempotent()
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'addContact', summary: 'Add a contact to a customer' })
  @ApiCreatedResponse({ type: ContactDto })
  @ApiConflictResponse({ type: DuplicateProblemDto, description: 'CUSTOMER_DUPLICATE: the mobile or e-mail belongs to another contact' })
  addContact(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: ContactInputDto): Promise<ContactDto> {
    return this.contacts.add(caller, id, dto);
  }

  @Patch('contacts/:id')
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'updateContact', summary: 'Change a contact (needs its version)' })
  @ApiOkResponse({ type: ContactDto })
  @ApiConflictResponse({ type: DuplicateProblemDto, description: 'CUSTOMER_DUPLICATE' })
  updateContact(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: UpdateContactDto): Promise<ContactDto> {
    return this.contacts.update(caller, id, dto);
  }

  @Post('contacts/:id/mark-left')
  @HttpCode(200)
  @Roles('admin', 'manager', 'sales')
  @ApiOperation({ operationId: 'markContactLeft', summary: 'Mark a contact as having left (the record is kept); name the new primary if needed' })
  @ApiOkResponse({ type: ContactDto })
  @ApiUnprocessableEntityResponse({ type: ProblemDto, description: 'PRIMARY_CONTACT_REQUIRED' })
  @ApiConflictResponse({ type: ProblemDto, description: 'CONTACT_ALREADY_LEFT' })
  markContactLeft(@CurrentUser() caller: AuthUser, @IdParam() id: string, @Body() dto: MarkContactLeftDto): Promise<ContactDto> {
    return this.contacts.markLeft(caller, id, dto);
  }
}
