'use strict';
// The OAuth client that every part of the bench signs in and refreshes as.
module.exports = { clientID: 'bench-client', clientSecret: 'bench-client-secret' };
