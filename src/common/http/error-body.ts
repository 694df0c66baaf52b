import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The one JSON shape every error answer has. */
export class ErrorBody {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'VALIDATION_FAILED', description: 'Stable machine-readable code; see docs/errors.md.' })
  code!: string;
  @ApiProperty({ example: 'The request is not valid.' }) message!: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
  @ApiProperty({ description: 'Correlation id; also in the x-request-id header and every log line.' })
  requestId!: string;
}
