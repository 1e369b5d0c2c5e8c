import { Module } from '@nestjs/common';
import { IndustriesController } from './industries.controller';
import { IndustriesRepository } from './industries.repository';
import { IndustriesService } from './industries.service';

@Module({
  controllers: [IndustriesController],
  providers: [IndustriesRepository, IndustriesService],
  exports: [IndustriesService],
})
export class IndustriesModule {}
