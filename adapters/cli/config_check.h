// `frontdoor config check FILE [--data-dir DIR]`: everything `serve` would
// check of its config before it starts, without starting anything (no
// store opened, no port bound, no identity provider asked): the file itself
// through the same loader, the API keys, the policy and bank holidays
// through the same policy loader, the TLS files, the email sender's key or
// password file, and, given a data dir, that the store's folder can be made
// and written. Every error is printed, each naming the file and line or
// setting at fault; a spool folder that cannot be written is a warning
// only, since the server starts regardless and its letters wait in the
// store. systemd runs it before each start (deploy/frontdoor.service).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace frontdoor {

// `args` are the words after `config`. Exit code: 0 and one line starting
// "ok:" on `out` for a config that would start; 1 with each error on `err`
// otherwise; 2 for bad arguments.
int ConfigCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace frontdoor
