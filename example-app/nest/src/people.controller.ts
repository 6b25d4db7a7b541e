import {
  BadRequestException,
  Controller,
  DefaultValuePipe,
  Get,
  ParseIntPipe,
  Query,
  Req,
  UseFilters,
  UseGuards,
} from '@nestjs/common';
import type { Request } from 'express';

import { SignedInGuard } from './auth.guards.js';
import { JustLoginApiErrorFilter } from './justlogin-api.filter.js';
import { JustLoginApiService } from './justlogin-api.service.js';

/** Colleagues a page. */
const PAGE_SIZE = 20;
const MAX_PAGE = 10_000;

@Controller()
@UseGuards(SignedInGuard)
@UseFilters(JustLoginApiErrorFilter)
export class PeopleController {
  constructor(private readonly justLogin: JustLoginApiService) {}

  /** A page of the signed-in user's colleagues (everyone in their company), from JustLogin's API. */
  @Get('people')
  async people(@Req() req: Request, @Query('page', new DefaultValuePipe(1), ParseIntPipe) page: number) {
    if (page < 1 || page > MAX_PAGE) throw new BadRequestException(`page must be from 1 to ${MAX_PAGE}`);
    const { items, pagination } = await this.justLogin.forRequest(req).employees.listPage({
      include: ['department', 'employment'],
      limit: PAGE_SIZE,
      page,
    });
    return {
      people: items.map((employee) => ({
        name: employee.fullName,
        department: employee.department?.name ?? '',
        designation: employee.employment?.designation ?? '',
      })),
      page: pagination.currentPage,
      totalPages: pagination.totalPages,
      totalCount: pagination.totalCount,
      hasNext: pagination.hasNext,
    };
  }
}
