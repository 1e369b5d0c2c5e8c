import { Global, Module } from '@nestjs/common';
import { CustomerAccessRepository } from './customer-access.repository';
import { CustomerAccess } from './customer-access.service';

@Global()
@Module({
  providers: [CustomerAccessRepository, CustomerAccess],
  exports: [CustomerAccess],
})
export class AccessModule {}
