// YAML config loading with yaml-cpp; its exceptions stop here.
#include "adapters/http/config.h"

#include <unistd.h>
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <charconv>
#include <thread>

#include "adapters/oidc/http_get.h"
#include "adapters/sinks/cloudevents.h"
#include "adapters/sinks/webhook_signature.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/status_macros.h"
#include "frontdoor/v1/codes.pb.h"
#include "yaml-cpp/yaml.h"

namespace frontdoor {

namespace {

std::string Where(const std::filesystem::path& file, const YAML::Node& node) {
  return file.string() + ":" + std::to_string(node.Mark().line + 1);
}

// A relative path is looked for beside the config file, then in the
// current directory, then in the installation.
absl::StatusOr<std::filesystem::path> Resolve(const std::filesystem::path& config_file,
                                              const std::filesystem::path& path,
                                              const std::string& setting) {
  if (path.is_absolute()) {
    if (std::filesystem::exists(path)) return path;
    return absl::NotFoundError(setting + ": " + path.string() + " does not exist");
  }
  std::vector<std::filesystem::path> tried = {config_file.parent_path() / path,
                                              std::filesystem::current_path() / path,
                                              InstallRoot() / path};
  std::string list;
  for (const auto& candidate : tried) {
    if (std::filesystem::exists(candidate)) return std::filesystem::weakly_canonical(candidate);
    list += (list.empty() ? "" : ", ") + candidate.string();
  }
  return absl::NotFoundError(setting + ": " + path.string() + " not found (looked in " + list +
                             ")");
}

// `email: {smtp: {host, port, starttls, username, password_file, from, ca_file}}`
// or `email: {notify: {api_key_file, base_url, email_template_id, ca_file,
// status_check_hours}}`:
// exactly one of them. Paths are resolved at the end, with the others.
absl::StatusOr<EmailConfig> ParseEmail(const std::filesystem::path& file, const YAML::Node& node) {
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(Where(file, node) +
                                      ": email must be {smtp: {...}} or {notify: {...}}");
  }
  EmailConfig email;
  for (const auto& entry : node) {
    std::string kind = entry.first.as<std::string>();
    const YAML::Node& v = entry.second;
    if (kind != "smtp" && kind != "notify") {
      return absl::InvalidArgumentError(Where(file, entry.first) + ": email: unknown field '" +
                                        kind + "' (smtp or notify)");
    }
    if (!v.IsMap()) {
      return absl::InvalidArgumentError(Where(file, v) + ": email." + kind + " must be a mapping");
    }
    if (kind == "smtp") {
      SmtpConfig smtp;
      for (const auto& f : v) {
        std::string name = f.first.as<std::string>();
        if (name == "host") {
          smtp.host = f.second.as<std::string>();
        } else if (name == "port") {
          int port = f.second.as<int>();
          if (port < 1 || port > 65535) {
            return absl::InvalidArgumentError(Where(file, f.second) +
                                              ": email.smtp.port must be from 1 to 65535");
          }
          smtp.port = static_cast<unsigned>(port);
        } else if (name == "starttls") {
          smtp.starttls = f.second.as<bool>();
        } else if (name == "username") {
          smtp.username = f.second.as<std::string>();
        } else if (name == "password_file") {
          smtp.password_file = f.second.as<std::string>();
        } else if (name == "from") {
          smtp.from = f.second.as<std::string>();
        } else if (name == "ca_file") {
          smtp.ca_file = f.second.as<std::string>();
        } else {
          return absl::InvalidArgumentError(Where(file, f.first) + ": email.smtp: unknown field '" +
                                            name + "'");
        }
      }
      if (smtp.host.empty() || smtp.from.empty()) {
        return absl::InvalidArgumentError(Where(file, v) + ": email.smtp needs a host and a from");
      }
      if (smtp.from.find('@') == std::string::npos) {
        return absl::InvalidArgumentError(Where(file, v) +
                                          ": email.smtp.from must hold an email address");
      }
      if (!smtp.username.empty() && smtp.password_file.empty()) {
        return absl::InvalidArgumentError(Where(file, v) +
                                          ": email.smtp: a username needs a password_file");
      }
      email.smtp = std::move(smtp);
    } else {
      NotifyConfig notify;
      for (const auto& f : v) {
        std::string name = f.first.as<std::string>();
        if (name == "api_key_file") {
          notify.api_key_file = f.second.as<std::string>();
        } else if (name == "base_url") {
          notify.base_url = f.second.as<std::string>();
        } else if (name == "email_template_id") {
          notify.email_template_id = f.second.as<std::string>();
        } else if (name == "ca_file") {
          notify.ca_file = f.second.as<std::string>();
        } else if (name == "status_check_hours") {
          notify.status_check_hours = f.second.as<int>();
          if (notify.status_check_hours < 0 || notify.status_check_hours > 24 * 30) {
            return absl::InvalidArgumentError(
                Where(file, f.first) + ": email.notify.status_check_hours must be 0-720");
          }
        } else {
          return absl::InvalidArgumentError(Where(file, f.first) +
                                            ": email.notify: unknown field '" + name + "'");
        }
      }
      if (notify.api_key_file.empty() || notify.email_template_id.empty()) {
        return absl::InvalidArgumentError(
            Where(file, v) + ": email.notify needs an api_key_file and an email_template_id");
      }
      if (absl::Status url = oidc::CheckProviderUrl(notify.base_url); !url.ok()) {
        return absl::InvalidArgumentError(Where(file, v) + ": email.notify.base_url " +
                                          std::string(url.message()));
      }
      email.notify = std::move(notify);
    }
  }
  if (email.smtp.has_value() == email.notify.has_value()) {
    return absl::InvalidArgumentError(Where(file, node) +
                                      ": email needs exactly one of smtp and notify");
  }
  return email;
}

// `oidc: {issuer, audience, client_id, roles_claim, name_claim, role_map, scopes}`.
absl::StatusOr<OidcConfig> ParseOidc(const std::filesystem::path& file, const YAML::Node& node) {
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(
        Where(file, node) +
        ": oidc must be {issuer, audience, client_id, roles_claim, name_claim, role_map}");
  }
  OidcConfig oidc;
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const YAML::Node& value = field.second;
    if (name == "role_map") {
      if (!value.IsMap()) {
        return absl::InvalidArgumentError(Where(file, value) +
                                          ": oidc: role_map must map provider roles to roles");
      }
      for (const auto& entry : value) {
        std::string role = entry.second.as<std::string>();
        if (role != "triage" && role != "manager" && role != "admin") {
          return absl::InvalidArgumentError(Where(file, entry.second) + ": oidc: role_map: '" +
                                            role + "' is not triage, manager or admin");
        }
        oidc.role_map[entry.first.as<std::string>()] = role;
      }
      continue;
    }
    std::string* target = name == "issuer"        ? &oidc.issuer
                          : name == "audience"    ? &oidc.audience
                          : name == "client_id"   ? &oidc.client_id
                          : name == "roles_claim" ? &oidc.roles_claim
                          : name == "name_claim"  ? &oidc.name_claim
                          : name == "scopes"      ? &oidc.scopes
                                                  : nullptr;
    if (target == nullptr) {
      return absl::InvalidArgumentError(
          Where(file, field.first) + ": oidc: unknown field '" + name +
          "' (issuer, audience, client_id, roles_claim, name_claim, role_map, scopes)");
    }
    *target = value.as<std::string>();
    if (target->empty()) {
      return absl::InvalidArgumentError(Where(file, value) + ": oidc: " + name +
                                        " must not be empty");
    }
  }
  if (oidc.issuer.empty() || oidc.audience.empty()) {
    return absl::InvalidArgumentError(Where(file, node) +
                                      ": oidc: issuer and audience are required");
  }
  if (absl::Status url = oidc::CheckProviderUrl(oidc.issuer); !url.ok()) {
    return absl::InvalidArgumentError(Where(file, node) + ": oidc: issuer " +
                                      std::string(url.message()));
  }
  return oidc;
}

// ---- subscriptions: [{name, url, secrets, events?, organisation?, ca_file?,
// timeout_seconds?}] (webhooks, adapters/sinks/webhook.h)

absl::StatusOr<SubscriptionConfig> ParseSubscription(const std::filesystem::path& file,
                                                     const YAML::Node& node) {
  if (!node.IsMap()) {
    return absl::InvalidArgumentError(
        Where(file, node) + ": subscriptions: each must be {name, url, secrets, events?, "
                            "organisation?, ca_file?, timeout_seconds?}");
  }
  SubscriptionConfig sub;
  bool has_name = false;
  for (const auto& field : node) {
    const std::string name = field.first.as<std::string>();
    const YAML::Node& value = field.second;
    if (name == "name") {
      sub.name = value.as<std::string>();
      has_name = true;
      bool good = !sub.name.empty();
      for (char c : sub.name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') good = false;
      }
      if (!good) {
        return absl::InvalidArgumentError(Where(file, value) + ": subscriptions: name '" +
                                          sub.name + "' must be letters, digits and '-'");
      }
    } else if (name == "url") {
      sub.url = value.as<std::string>();
      if (absl::Status url = oidc::CheckProviderUrl(sub.url); !url.ok()) {
        return absl::InvalidArgumentError(Where(file, value) + ": subscriptions: url " +
                                          std::string(url.message()));
      }
    } else if (name == "secrets") {
      if (!value.IsSequence()) {
        return absl::InvalidArgumentError(Where(file, value) +
                                          ": subscriptions: secrets must be a list");
      }
      for (const auto& secret : value) {
        sub.secrets.push_back(secret.as<std::string>());
        // The message never quotes the secret.
        if (auto key = DecodeWebhookSecret(sub.secrets.back()); !key.ok()) {
          return absl::InvalidArgumentError(Where(file, secret) + ": subscriptions: secrets[" +
                                            std::to_string(sub.secrets.size() - 1) +
                                            "]: " + std::string(key.status().message()));
        }
      }
    } else if (name == "events") {
      if (!value.IsSequence()) {
        return absl::InvalidArgumentError(Where(file, value) +
                                          ": subscriptions: events must be a list");
      }
      const auto& known = CloudEventTypes();
      for (const auto& type : value) {
        sub.events.push_back(type.as<std::string>());
        if (std::find(known.begin(), known.end(), sub.events.back()) == known.end()) {
          std::string list;
          for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
          return absl::InvalidArgumentError(Where(file, type) + ": subscriptions: events: '" +
                                            sub.events.back() + "' is not one of " + list);
        }
      }
    } else if (name == "organisation") {
      sub.organisation = value.as<std::string>();
      if (sub.organisation.empty()) {
        return absl::InvalidArgumentError(Where(file, value) +
                                          ": subscriptions: organisation must not be empty");
      }
    } else if (name == "ca_file") {
      sub.ca_file = value.as<std::string>();
      auto found = Resolve(file, sub.ca_file, "subscriptions: ca_file");
      if (!found.ok()) return found.status();
      sub.ca_file = *found;
    } else if (name == "timeout_seconds") {
      double seconds = value.as<double>();
      if (!(seconds > 0 && seconds <= 300)) {
        return absl::InvalidArgumentError(Where(file, value) +
                                          ": subscriptions: timeout_seconds must be in (0, 300]");
      }
      sub.timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
    } else {
      return absl::InvalidArgumentError(Where(file, field.first) +
                                        ": subscriptions: unknown field '" + name +
                                        "' (name, url, secrets, events, organisation, ca_file, "
                                        "timeout_seconds)");
    }
  }
  if (!has_name || sub.url.empty()) {
    return absl::InvalidArgumentError(Where(file, node) +
                                      ": subscriptions: each needs a name and a url");
  }
  if (sub.secrets.empty() || sub.secrets.size() > 2) {
    return absl::InvalidArgumentError(
        Where(file, node) + ": subscriptions: " + sub.name +
        " needs one or two secrets (whsec_...; two during a rotation)");
  }
  return sub;
}

absl::Status ParseSubscriptions(const std::filesystem::path& file, const YAML::Node& node,
                                ServerConfig& config) {
  if (!node.IsSequence()) {
    return absl::InvalidArgumentError(Where(file, node) + ": subscriptions must be a list");
  }
  for (const auto& item : node) {
    auto sub = ParseSubscription(file, item);
    if (!sub.ok()) return sub.status();
    for (const SubscriptionConfig& other : config.subscriptions) {
      if (other.name == sub->name) {
        return absl::InvalidArgumentError(Where(file, item) + ": subscriptions: the name '" +
                                          sub->name + "' is used twice");
      }
    }
    if (sub->name == "email" || sub->name == "spool") {
      return absl::InvalidArgumentError(Where(file, item) + ": subscriptions: the name '" +
                                        sub->name + "' is taken by a built-in sink");
    }
    config.subscriptions.push_back(*std::move(sub));
  }
  return absl::OkStatus();
}

}  // namespace

std::filesystem::path InstallRoot() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  return exe.parent_path().parent_path();
}

namespace {

// One status for the errors found, a line each: NotFound when every one is
// a missing file, InvalidArgument otherwise.
absl::Status Joined(const std::vector<absl::Status>& errors) {
  std::string text;
  bool all_missing = true;
  for (const absl::Status& e : errors) {
    if (!text.empty()) text += "\n";
    text += std::string(e.message());
    all_missing = all_missing && absl::IsNotFound(e);
  }
  return all_missing ? absl::NotFoundError(text) : absl::InvalidArgumentError(text);
}

}  // namespace

absl::StatusOr<ServerConfig> LoadServerConfig(const std::filesystem::path& file,
                                              std::vector<absl::Status>* errors_out) {
  std::vector<absl::Status> local_errors;
  std::vector<absl::Status>& errors = errors_out != nullptr ? *errors_out : local_errors;
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::BadFile&) {
    errors.push_back(absl::NotFoundError("cannot read the config file " + file.string()));
    return errors.back();
  } catch (const YAML::Exception& e) {
    errors.push_back(absl::InvalidArgumentError(
        file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg));
    return errors.back();
  }
  if (!root.IsMap()) {
    errors.push_back(absl::InvalidArgumentError(file.string() + ": must be a mapping"));
    return errors.back();
  }

  ServerConfig config;
  // One top-level setting. Each is read on its own, so that one run names
  // every setting at fault, not only the first.
  auto read_setting = [&](const auto& item) -> absl::Status {
    try {
      const std::string key = item.first.template as<std::string>();
      const YAML::Node& value = item.second;
      if (key == "api_keys") {
        if (!value.IsSequence()) {
          return absl::InvalidArgumentError(Where(file, value) + ": api_keys must be a list");
        }
        for (const auto& k : value) {
          ApiKeyConfig api_key;
          for (const auto& field : k) {
            const std::string name = field.first.as<std::string>();
            if (name == "name") {
              api_key.name = field.second.as<std::string>();
            } else if (name == "role") {
              api_key.role = field.second.as<std::string>();
            } else if (name == "token") {
              api_key.token = field.second.as<std::string>();
            } else if (name == "organisation") {
              api_key.organisation = field.second.as<std::string>();
              if (api_key.organisation.empty()) {
                return absl::InvalidArgumentError(Where(file, field.second) +
                                                  ": api_keys: organisation must not be empty");
              }
            } else if (name == "expires_at") {
              const std::string text = field.second.as<std::string>();
              auto at = ParseRfc3339(text);
              if (!at.ok()) {
                return absl::InvalidArgumentError(
                    Where(file, field.second) + ": api_keys: expires_at must be an RFC 3339 " +
                    "time such as 2027-03-31T23:59:59Z, not '" + text + "'");
              }
              api_key.expires_at = *at;
            } else if (name == "agency") {
              api_key.agency = field.second.as<std::string>();
              v1::Source::Code code;
              if (!v1::Source::Code_Parse(api_key.agency, &code) ||
                  code == v1::Source::SOURCE_UNSPECIFIED) {
                return absl::InvalidArgumentError(
                    Where(file, field.second) + ": api_keys: agency must be a source code " +
                    "such as POLICE or SCHOOLS, not '" + api_key.agency + "'");
              }
            } else if (name == "client_certificate_subject") {
              api_key.client_certificate_subject = field.second.as<std::string>();
            } else {
              return absl::InvalidArgumentError(Where(file, field.first) +
                                                ": api_keys: unknown field '" + name +
                                                "' (name, role, token, organisation, expires_at, "
                                                "agency, client_certificate_subject)");
            }
          }
          if (api_key.name.empty() || api_key.role.empty() ||
              (api_key.token.empty() && api_key.client_certificate_subject.empty())) {
            return absl::InvalidArgumentError(Where(file, k) +
                                              ": each api key needs a name, a role and a token (or "
                                              "a client_certificate_subject)");
          }
          if (api_key.organisation.empty()) api_key.organisation = api_key.name;
          config.api_keys.push_back(std::move(api_key));
        }
      } else if (key == "policy") {
        config.policy = value.as<std::string>();
      } else if (key == "bank_holidays") {
        config.bank_holidays = value.as<std::string>();
      } else if (key == "spool_dir") {
        config.spool_dir = value.as<std::string>();
      } else if (key == "idempotency_retention_days" || key == "delivered_retention_days" ||
                 key == "spool_retention_days") {
        const std::string text = value.IsScalar() ? value.as<std::string>() : "";
        int days = -1;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
        if (ec != std::errc() || end != text.data() + text.size() || days < 0 || days > 3650) {
          return absl::InvalidArgumentError(Where(file, value) + ": " + key +
                                            " must be a whole number of days from 0 (keep for "
                                            "ever) to 3650, not '" +
                                            text + "'");
        }
        (key == "idempotency_retention_days" ? config.idempotency_retention_days
         : key == "delivered_retention_days" ? config.delivered_retention_days
                                             : config.spool_retention_days) = days;
      } else if (key == "body_limit_bytes") {
        config.body_limit_bytes = value.as<size_t>();
      } else if (key == "io_threads") {
        config.io_threads = value.as<unsigned>();
      } else if (key == "max_queue") {
        config.max_queue = value.as<size_t>();
      } else if (key == "max_connections") {
        config.max_connections = value.as<size_t>();
      } else if (key == "max_stream_subscribers") {
        config.max_stream_subscribers = value.as<size_t>();
      } else if (key == "reader_threads" || key == "reader_queue") {
        const size_t n = value.as<size_t>();
        if (n == 0) {
          return absl::InvalidArgumentError(Where(file, value) + ": " + key +
                                            " must be at least 1");
        }
        (key == "reader_threads" ? config.reader_threads : config.reader_queue) = n;
      } else if (key == "idle_timeout_seconds") {
        config.idle_timeout = std::chrono::seconds(value.as<int>());
      } else if (key == "web_root") {
        config.web_root = value.as<std::string>();
      } else if (key == "auth_failures") {
        if (!value.IsMap()) {
          return absl::InvalidArgumentError(Where(file, value) +
                                            ": auth_failures must be {burst, per_seconds}");
        }
        for (const auto& field : value) {
          const std::string name = field.first.as<std::string>();
          if (name == "burst") {
            int burst = field.second.as<int>();
            if (burst < 1) {
              return absl::InvalidArgumentError(Where(file, field.second) +
                                                ": auth_failures: burst must be at least 1");
            }
            config.auth_failures.burst = static_cast<size_t>(burst);
          } else if (name == "per_seconds") {
            int seconds = field.second.as<int>();
            if (seconds < 1) {
              return absl::InvalidArgumentError(Where(file, field.second) +
                                                ": auth_failures: per_seconds must be at least 1");
            }
            config.auth_failures.per = std::chrono::seconds(seconds);
          } else {
            return absl::InvalidArgumentError(Where(file, field.first) +
                                              ": auth_failures: unknown field '" + name +
                                              "' (burst, per_seconds)");
          }
        }
      } else if (key == "tls") {
        if (!value.IsMap()) {
          return absl::InvalidArgumentError(Where(file, value) +
                                            ": tls must be {cert, key, client_ca?}");
        }
        TlsConfig tls;
        for (const auto& field : value) {
          const std::string name = field.first.as<std::string>();
          if (name == "cert") {
            tls.cert = field.second.as<std::string>();
          } else if (name == "key") {
            tls.key = field.second.as<std::string>();
          } else if (name == "client_ca") {
            tls.client_ca = field.second.as<std::string>();
          } else {
            return absl::InvalidArgumentError(Where(file, field.first) + ": tls: unknown field '" +
                                              name + "' (cert, key, client_ca)");
          }
        }
        if (tls.cert.empty() || tls.key.empty()) {
          return absl::InvalidArgumentError(Where(file, value) + ": tls needs a cert and a key");
        }
        config.tls = std::move(tls);
      } else if (key == "oidc") {
        auto oidc = ParseOidc(file, value);
        if (!oidc.ok()) return oidc.status();
        config.oidc = *std::move(oidc);
      } else if (key == "subscriptions") {
        RETURN_IF_ERROR(ParseSubscriptions(file, value, config));
      } else if (key == "email") {
        auto email = ParseEmail(file, value);
        if (!email.ok()) return email.status();
        config.email = *std::move(email);
      } else if (key == "log_level") {
        config.log_level = value.as<std::string>();
        // spdlog reads an unknown name as "off": a typo must not silence the log.
        static constexpr std::string_view kLevels[] = {"trace", "debug",    "info", "warn",
                                                       "error", "critical", "off"};
        if (std::find(std::begin(kLevels), std::end(kLevels), config.log_level) ==
            std::end(kLevels)) {
          return absl::InvalidArgumentError(
              Where(file, item.first) + ": log_level must be one of trace, debug, info, warn, " +
              "error, critical or off, not '" + config.log_level + "'");
        }
      } else {
        return absl::InvalidArgumentError(Where(file, item.first) + ": unknown setting '" + key +
                                          "'");
      }
      return absl::OkStatus();
    } catch (const YAML::Exception& e) {
      // yaml-cpp says only "bad conversion": name the setting too.
      return absl::InvalidArgumentError(
          file.string() + ":" + std::to_string(e.mark.line + 1) + ": " +
          (item.first.IsScalar() ? item.first.Scalar() + ": " : std::string()) + e.msg);
    }
  };
  // The settings that had errors (the checks below that need one are left
  // out, rather than adding a second error about it), and each setting's line.
  std::set<std::string> failed;
  std::map<std::string, int> lines;
  for (const auto& item : root) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    lines[key] = item.first.Mark().line + 1;
    if (absl::Status s = read_setting(item); !s.ok()) {
      errors.push_back(std::move(s));
      failed.insert(key);
    }
  }
  // "config.yaml:3: " for a setting in the file, "config.yaml: " otherwise.
  auto at = [&](const std::string& key) {
    std::string where = file.string();
    if (auto line = lines.find(key); line != lines.end()) {
      where += ':';
      where += std::to_string(line->second);
    }
    where += ": ";
    return where;
  };
  auto refuse = [&](const std::string& key, const absl::Status& s) {
    errors.push_back(absl::Status(s.code(), at(key) + std::string(s.message())));
  };

  if (config.api_keys.empty() && !config.oidc && !failed.contains("api_keys") &&
      !failed.contains("oidc")) {
    errors.push_back(absl::InvalidArgumentError(
        file.string() + ": api_keys: at least one key is needed (or oidc)"));
  }
  if (config.policy.empty()) {
    if (!failed.contains("policy")) {
      errors.push_back(absl::InvalidArgumentError(file.string() +
                                                  ": policy: the policy file is required"));
    }
  } else if (auto policy = Resolve(file, config.policy, "policy"); !policy.ok()) {
    refuse("policy", policy.status());
  } else {
    config.policy = *policy;
  }
  if (config.bank_holidays.empty()) {
    auto beside = Resolve(file, "bank-holidays.json", "bank_holidays");
    config.bank_holidays = beside.ok() ? *beside : InstallRoot() / "deploy/bank-holidays.json";
  }
  if (auto holidays = Resolve(file, config.bank_holidays, "bank_holidays"); !holidays.ok()) {
    if (!failed.contains("bank_holidays")) refuse("bank_holidays", holidays.status());
  } else {
    config.bank_holidays = *holidays;
  }
  if (!config.spool_dir.empty() && config.spool_dir.is_relative()) {
    config.spool_dir = file.parent_path() / config.spool_dir;
  }
  if (config.web_root.empty()) {
    std::error_code ec;
    config.web_root = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path() / "web";
  } else if (config.web_root.is_relative()) {
    config.web_root = file.parent_path() / config.web_root;
  }
  if (config.tls) {
    for (auto [path, setting] :
         {std::pair{&config.tls->cert, "tls.cert"}, std::pair{&config.tls->key, "tls.key"},
          std::pair{&config.tls->client_ca, "tls.client_ca"}}) {
      if (path->empty()) continue;
      auto found = Resolve(file, *path, setting);
      if (!found.ok()) {
        refuse("tls", found.status());
        continue;
      }
      *path = *found;
    }
  }
  if (config.email) {
    std::vector<std::pair<std::filesystem::path*, const char*>> files;
    if (auto& smtp = config.email->smtp) {
      files = {{&smtp->password_file, "email.smtp.password_file"},
               {&smtp->ca_file, "email.smtp.ca_file"}};
    } else if (auto& notify = config.email->notify) {
      files = {{&notify->api_key_file, "email.notify.api_key_file"},
               {&notify->ca_file, "email.notify.ca_file"}};
    }
    for (auto [path, setting] : files) {
      if (path->empty()) continue;
      auto found = Resolve(file, *path, setting);
      if (!found.ok()) {
        refuse("email", found.status());
        continue;
      }
      *path = *found;
    }
  }
  for (const ApiKeyConfig& k : config.api_keys) {
    if (failed.contains("tls")) break;
    if (!k.client_certificate_subject.empty() && (!config.tls || config.tls->client_ca.empty())) {
      refuse("api_keys", absl::InvalidArgumentError(
                             "api key '" + k.name +
                             "': client_certificate_subject needs tls.client_ca"));
    }
  }
  for (const SubscriptionConfig& sub : config.subscriptions) {
    if (sub.organisation.empty() || failed.contains("api_keys")) continue;
    bool known = std::any_of(config.api_keys.begin(), config.api_keys.end(),
                             [&](const ApiKeyConfig& k) { return k.organisation == sub.organisation; });
    if (!known) {
      refuse("subscriptions", absl::InvalidArgumentError(
                                  "subscription '" + sub.name + "': organisation '" +
                                  sub.organisation + "' is no api key's organisation"));
    }
  }
  if (!errors.empty()) return Joined(errors);
  if (config.io_threads == 0) config.io_threads = std::max(1u, std::thread::hardware_concurrency());
  return config;
}

}  // namespace frontdoor
