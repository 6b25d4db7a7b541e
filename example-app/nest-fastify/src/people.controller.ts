import { Controller, Get } from '@nestjs/common';
import { JustLoginApi } from 'passport-justlogin';

// No guard: the JustLoginApi injected for this request renews the tokens itself (saving them in the session
// cookie), and JustLoginExceptionFilter answers 401 for a visitor who is not signed in.
@Controller('people')
export class PeopleController {
  constructor(private readonly justLogin: JustLoginApi) {}

  /** The first page of the signed-in user's colleagues, from JustLogin's API. */
  @Get()
  async people() {
    const { items, pagination } = await this.justLogin.employees.listPage({ include: ['department'] });
    return {
      people: items.map((employee) => ({ name: employee.fullName, department: employee.department?.name ?? '' })),
      totalCount: pagination.totalCount,
      expiresAt: this.justLogin.tokens.expiresAt,
    };
  }
}
