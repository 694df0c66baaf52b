import { Global, Injectable, Module } from '@nestjs/common';

/** The time source of domain logic; tests swap in a clock they can move. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

@Global()
@Module({ providers: [Clock], exports: [Clock] })
export class ClockModule {}
