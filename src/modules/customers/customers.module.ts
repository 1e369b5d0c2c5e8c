import { Module } from '@nestjs/common';
import { UsersModule } from '../users';
import { ContactCodec } from './contact-codec';
import { ContactsController } from './contacts.controller';
import { ContactsRepository } from './contacts.repository';
import { ContactsService } from './contacts.service';
import { CustomersController } from './customers.controller';
import { FollowUpsController } from './follow-ups.controller';
import { CustomersRepository } from './customers.repository';
import { CustomersService } from './customers.service';
import { DormancyJob } from './dormancy.job';

@Module({
  imports: [UsersModule],
  controllers: [CustomersController, ContactsController, FollowUpsController],
  providers: [CustomersRepository, ContactsRepository, ContactCodec, CustomersService, ContactsService, DormancyJob],
  exports: [CustomersRepository, ContactsRepository],
})
export class CustomersModule {}
