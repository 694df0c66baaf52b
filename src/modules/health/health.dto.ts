import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class DependencyHealth {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Round-trip time of the probe.' }) latencyMs!: number;
  @ApiPropertyOptional() error?: string;
}

export class DatabaseHealth extends DependencyHealth {
  @ApiProperty({ enum: ['mongodb', 'ferretdb'] }) flavor!: string;
}

export class BlobStoreHealth extends DependencyHealth {
  @ApiProperty({ enum: ['fs', 's3'] }) kind!: string;
}

export class HealthReport {
  @ApiProperty({ enum: ['ok', 'degraded'] }) status!: 'ok' | 'degraded';
  @ApiProperty() version!: string;
  @ApiProperty({ type: DatabaseHealth }) database!: DatabaseHealth;
  @ApiProperty({ type: BlobStoreHealth }) blobStore!: BlobStoreHealth;
}
