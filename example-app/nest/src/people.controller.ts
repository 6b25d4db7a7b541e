import {
  BadRequestException,
  Controller,
  DefaultValuePipe,
  Get,
  Param,
  ParseIntPipe,
  Query,
  UseGuards,
} from '@nestjs/common';
import { JustLoginApi } from 'passport-justlogin';
import { SignedInGuard } from 'passport-justlogin/nestjs';

/** Colleagues a page. */
const PAGE_SIZE = 20;
const MAX_PAGE = 10_000;

@Controller('people')
export class PeopleController {
  // One client a request, bound to the signed-in user's tokens; it renews them when due and saves them in the session.
  constructor(private readonly justLogin: JustLoginApi) {}

  /**
   * A page of the signed-in user's colleagues (everyone in their company), from JustLogin's API. No guard: the
   * client renews the tokens itself, and JustLoginExceptionFilter answers 401 for a visitor who is not signed in.
   */
  @Get()
  async people(@Query('page', new DefaultValuePipe(1), ParseIntPipe) page: number) {
    if (page < 1 || page > MAX_PAGE) throw new BadRequestException(`page must be from 1 to ${MAX_PAGE}`);
    const { items, pagination } = await this.justLogin.employees.listPage({
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

  /** One colleague, behind SignedInGuard (a visitor is sent to sign in); a GUID JustLogin does not know: 502. */
  @Get(':guid')
  @UseGuards(SignedInGuard)
  async person(@Param('guid') guid: string) {
    if (!/^[0-9a-f]{32}$/i.test(guid)) throw new BadRequestException('not a JustLogin GUID');
    const employee = await this.justLogin.employees.get(guid);
    return { name: employee.fullName };
  }
}
