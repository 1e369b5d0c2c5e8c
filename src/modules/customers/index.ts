export { CustomersModule } from './customers.module';
export { CustomersRepository } from './customers.repository';
export { ContactsRepository } from './contacts.repository';
export { CustomerReactivation } from './customer-reactivation';
