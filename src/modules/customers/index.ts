export { CustomersModule } from './customers.module';
export { CustomersRepository } from './customers.repository';
export { ContactsRepository } from './contacts.repository';
export { CustomerReactivation } from './customer-reactivation';
export { CustomersService } from './customers.service';
export { OwnerEdits } from './owner-edits';
export { UpdateCustomerDto } from './dto/customer.dto';
export { expectedVersion } from './customer.rules';
