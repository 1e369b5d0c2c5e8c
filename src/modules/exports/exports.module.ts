import { Module } from '@nestjs/common';
import { CustomersModule } from '../customers';
import { UsersModule } from '../users';
import { ExportsController } from './exports.controller';
import { ExportsRepository } from './exports.repository';
import { ExportsService } from './exports.service';

@Module({
  imports: [CustomersModule, UsersModule],
  controllers: [ExportsController],
  providers: [ExportsRepository, ExportsService],
})
export class ExportsModule {}
