export { OpportunitiesModule } from './opportunities.module';
export { OpportunitiesService } from './opportunities.service';
