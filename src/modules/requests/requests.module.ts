import { Module } from '@nestjs/common';
import { CalendarModule } from '../calendar';
import { ComplaintsModule } from '../complaints';
import { UsersModule } from '../users';
import { RequestsController } from './requests.controller';
import { RequestsRepository } from './requests.repository';
import { RequestsService } from './requests.service';
import { ResponseClockJob } from './response-clock.job';

@Module({
  imports: [CalendarModule, ComplaintsModule, UsersModule],
  controllers: [RequestsController],
  providers: [RequestsRepository, RequestsService, ResponseClockJob],
})
export class RequestsModule {}
