// Whose data a call asks for when the app names nobody: the signed-in user's, from the access token.
import { JustLoginOptionsError } from '../errors';
import { checkGuid } from './params';

/** The signed-in user's GUIDs, as far as they are known now. */
export type SignedInUser = () => { userGuid?: string; companyGuid?: string };

const CLAIMS = { userGuid: 'UserGUID', companyGuid: 'CompanyGUID' } as const;

/**
 * `given` when the app passed it, else the signed-in user's; either way a GUID. Throws a
 * `JustLoginOptionsError` saying how to supply it, before any request, when neither is known.
 */
export function guidOrSignedIn(
  method: string,
  name: keyof typeof CLAIMS,
  given: unknown,
  signedIn: SignedInUser,
): string {
  if (given !== undefined) return checkGuid(method, name, given);
  const own = signedIn()[name];
  if (own === undefined) {
    throw new JustLoginOptionsError(`JustLoginApi.${method}`, [
      `\`${name}\` is not given and the signed-in user's is unknown (the access token carries no ${CLAIMS[name]}): ` +
        `pass \`${name}\`, or give JustLoginApi \`identity: { userGuid, companyGuid }\``,
    ]);
  }
  return checkGuid(method, `the access token's ${CLAIMS[name]}`, own);
}
