import { Module } from '@nestjs/common';
import { CustomerReactivation } from './customer-reactivation';
import { IndustriesModule } from '../industries';
import { UsersModule } from '../users';
import { ContactCodec } from './contact-codec';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { DataKeyRotationRepository } from './data-key-rotation.repository';
import { DataKeyRotationService } from './data-key-rotation.service';
import { ContactsService } from './contacts.service';
import { CustomersController } from './customers.controller';
import { FollowUpsController } from './follow-ups.controller';
import { CustomerTagCatalog } from './customer-tag-catalog';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { DormancyJob } from './dormancy.job';
import { OwnerEdits } from './owner-edits';
import { CustomerRemovalRepository } from './customer-removal.repository';
import { CustomerRemovalService } from './customer-removal.service';
import { RemovalController } from './removal.controller';

@Module({
  imports: [UsersModule, IndustriesModule],
  controllers: [RemovalController, CustomersController, ContactsController, FollowUpsController],
  providers: [CustomersRepository, CustomerTagCatalog, ContactsRepository, ContactCodec, CustomerReactivation, CustomersService, OwnerEdits, ContactsService, DormancyJob, CustomerRemovalRepository, CustomerRemovalService, DataKeyRotationRepository, DataKeyRotationService],
  exports: [CustomersRepository, ContactsRepository, ContactCodec, CustomerReactivation, CustomersService, OwnerEdits],
})
export class CustomersModule {}
