export { IndustriesModule } from './industries.module';
export { IndustriesService } from './industries.service';
export { IndustryEntity } from './industry.entity';
