// `sluice tap`: what the CLI and the agents agree on. The agents accept only tokens minted for this
// audience (TokenRequest `--audience`), which the apiserver itself refuses: a token shown to an
// agent opens nothing but other agents' taps of what its holder may tap, for its few minutes.
export const TAP_AUDIENCE = 'sluice.dev/tap';

/** TokenRequest's minimum lifetime: the apiserver refuses shorter ones. */
export const TAP_TOKEN_SECONDS = 600;
