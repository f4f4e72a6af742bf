// `frontdoor rules backtest` and `frontdoor open-cases load`.
#include "adapters/cli/tools.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>

#include "adapters/cli/backtest_table.h"
#include "adapters/cli/flags.h"
#include "adapters/csv/csv.h"
#include "adapters/http/config.h"
#include "adapters/json/json.h"
#include "boost/asio/connect.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core/flat_buffer.hpp"
#include "boost/beast/http.hpp"
#include "boost/url/parse.hpp"
#include "calendar/calendar.h"
#include "engine/backtest.h"
#include "engine/backup.h"
#include "engine/contact_validation.h"
#include "engine/store.h"
#include "frontdoor/v1/api.pb.h"
#include "rules/policy.h"

namespace frontdoor {

namespace {

void ShowProgress(uint64_t done, uint64_t total) {
  std::cerr << BacktestProgress(done, total) << std::flush;
}

struct LoadedCases {
  std::map<std::string, v1::OpenCaseRequest> cases;
  std::vector<std::string> errors;
};

constexpr const char* kColumns[] = {"case_id",    "team",        "worker",        "opened_at",
                                    "given_name", "family_name", "date_of_birth", "nhs_number"};

LoadedCases ReadOpenCases(const std::filesystem::path& file) {
  LoadedCases out;
  std::ifstream in(file);
  if (!in) {
    out.errors.push_back(file.string() + ": cannot read");
    return out;
  }
  csv::Reader reader(in);
  std::vector<std::string> header, fields;
  if (!reader.Next(&header)) {
    out.errors.push_back(file.string() + ": empty; the first line names the columns");
    return out;
  }
  std::map<std::string, size_t> column;
  for (size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  for (const char* needed : {"case_id", "team"}) {
    if (!column.contains(needed)) {
      std::string columns;
      for (const char* name : kColumns)
        columns += (columns.empty() ? "" : ", ") + std::string(name);
      out.errors.push_back(file.string() + ":1: no " + needed + " column (columns: " + columns +
                           "; a row per child)");
    }
  }
  if (!out.errors.empty()) return out;
  auto get = [&](const std::vector<std::string>& row, const char* name) -> std::string {
    auto it = column.find(name);
    return it != column.end() && it->second < row.size() ? row[it->second] : std::string();
  };
  while (true) {
    int at = reader.line();
    if (!reader.Next(&fields)) break;
    if (fields.size() == 1 && fields[0].empty()) continue;
    std::string where = file.string() + ":" + std::to_string(at) + ": ";
    v1::OpenCaseRequest& c = out.cases[get(fields, "case_id")];
    c.set_team(get(fields, "team"));
    if (!get(fields, "worker").empty()) c.set_worker(get(fields, "worker"));
    if (std::string opened = get(fields, "opened_at"); !opened.empty()) {
      auto t = ParseRfc3339(opened.size() == 10 ? opened + "T00:00:00Z" : opened);
      if (!t.ok()) {
        out.errors.push_back(where + "opened_at: " + std::string(t.status().message()));
      } else {
        *c.mutable_opened_at() = ToProto(*t);
      }
    }
    v1::Child* child = c.add_children();
    child->set_given_name(get(fields, "given_name"));
    child->set_family_name(get(fields, "family_name"));
    if (std::string dob = get(fields, "date_of_birth"); !dob.empty()) child->set_date_of_birth(dob);
    child->set_nhs_number(get(fields, "nhs_number"));
  }
  TimePoint now = std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  auto today = std::chrono::year_month_day(std::chrono::floor<std::chrono::days>(now));
  for (const auto& [id, c] : out.cases) {
    for (const FieldError& e : ValidateOpenCase(id, c, today)) {
      out.errors.push_back(file.string() + ": case " + id + ": " + e.field + " " + e.message);
    }
  }
  return out;
}

}  // namespace

int BacktestCommand(const std::vector<std::string>& args) {
  std::string data_dir, policy_file, holidays_file;
  BacktestOptions options;
  cli::FlagParser flags("frontdoor rules backtest");
  flags.Required("data-dir", cli::Text(&data_dir))
      .Required("policy", cli::Text(&policy_file))
      .Optional("from", cli::Date(&options.from))
      .Optional("to", cli::Date(&options.to))
      .Optional("bank-holidays", cli::Text(&holidays_file));
  if (absl::Status parsed = flags.Parse(args); !parsed.ok()) {
    std::cerr << parsed.message() << "\n"
              << "usage: frontdoor rules backtest --data-dir DIR --policy FILE "
                 "[--from YYYY-MM-DD --to YYYY-MM-DD] [--bank-holidays FILE]\n";
    return 2;
  }
  std::vector<rules::PolicyError> errors;
  auto policy = rules::Policy::LoadFile(policy_file, &errors);
  if (!policy.ok()) {
    for (const auto& e : errors) std::cerr << e.ToString() << "\n";
    if (errors.empty()) std::cerr << policy.status().message() << "\n";
    return 1;
  }
  std::filesystem::path holidays = !holidays_file.empty()
                                       ? std::filesystem::path(holidays_file)
                                       : InstallRoot() / "deploy/bank-holidays.json";
  auto days_off = Calendar::LoadBankHolidays(holidays);
  if (!days_off.ok()) {
    std::cerr << holidays.string() << ": " << days_off.status().message() << "\n";
    return 1;
  }
  auto calendar = Calendar::Make((*policy)->spec().office_hours(), std::move(*days_off));
  if (!calendar.ok()) {
    std::cerr << calendar.status().message() << "\n";
    return 1;
  }
  if (::isatty(STDERR_FILENO)) options.progress = ShowProgress;
  StoreOptions store_options;
  store_options.read_only = true;
  auto store = Store::Open(data_dir, store_options);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  auto report = Backtest(**store, **policy, *calendar, options);
  if (options.progress) std::cerr << "\n";
  if (!report.ok()) {
    std::cerr << report.status().message() << "\n";
    return 1;
  }
  std::cout << BacktestTables(*report, (*policy)->label(), (*policy)->version());
  return 0;
}

int LoadOpenCasesCommand(const std::vector<std::string>& args) {
  std::string file, url, token;
  cli::FlagParser flags("frontdoor open-cases load");
  flags.Word("FILE.csv", &file)
      .Optional("url", cli::HttpUrl(&url))
      .Optional("token", cli::Text(&token));
  if (absl::Status parsed = flags.Parse(args); !parsed.ok()) {
    std::cerr << parsed.message() << "\n"
              << "usage: frontdoor open-cases load FILE.csv [--url http://HOST:PORT] "
                 "[--token TOKEN]\n"
                 "  The CSV has a row per child: case_id,team,worker,opened_at,given_name,"
                 "family_name,date_of_birth,nhs_number.\n"
                 "  The server at --url (default $FRONTDOOR_URL or http://127.0.0.1:8080) is "
                 "sent each case with PUT /v1/open-cases/{case_id}, as an admin or case_system "
                 "key (--token or $FRONTDOOR_TOKEN).\n";
    return 2;
  }
  LoadedCases loaded = ReadOpenCases(file);
  if (!loaded.errors.empty()) {
    for (const auto& e : loaded.errors) std::cerr << e << "\n";
    std::cerr << "nothing was loaded\n";
    return 1;
  }
  const char* env_url = std::getenv("FRONTDOOR_URL");
  const char* env_token = std::getenv("FRONTDOOR_TOKEN");
  if (url.empty()) url = env_url ? env_url : "http://127.0.0.1:8080";
  if (token.empty() && env_token) token = env_token;
  if (token.empty()) {
    std::cerr
        << "open-cases load: give --token (or $FRONTDOOR_TOKEN): an admin or case_system key\n";
    return 2;
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed || parsed->scheme() != "http") {
    std::cerr << "open-cases load: --url must be http://HOST:PORT\n";
    return 2;
  }
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::resolver resolver(ioc);
  boost::asio::ip::tcp::socket socket(ioc);
  boost::system::error_code ec;
  std::string host(parsed->host());
  std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  boost::asio::connect(socket, resolver.resolve(host, port, ec), ec);
  if (ec) {
    std::cerr << "open-cases load: cannot reach " << url << ": " << ec.message() << "\n";
    return 1;
  }
  boost::beast::flat_buffer buffer;
  size_t done = 0;
  for (const auto& [case_id, open_case] : loaded.cases) {
    http::request<http::string_body> req(http::verb::put, "/v1/open-cases/" + case_id, 11);
    req.set(http::field::host, host);
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "application/json");
    req.body() = json::Write(open_case);
    req.prepare_payload();
    http::response<http::string_body> res;
    http::write(socket, req, ec);
    if (!ec) http::read(socket, buffer, res, ec);
    if (ec) {
      std::cerr << "open-cases load: " << ec.message() << " after " << done << " cases\n";
      return 1;
    }
    if (res.result() != http::status::ok) {
      std::cerr << "open-cases load: case " << case_id << ": " << res.result_int() << " "
                << res.body() << "\n(" << done << " cases loaded before it)\n";
      return 1;
    }
    ++done;
  }
  std::cout << done << " open cases loaded\n";
  return 0;
}

// ---- frontdoor backup (engine/backup.h)

namespace {

constexpr char kBackupUsage[] =
    "frontdoor backup create --data-dir DATA DIR | verify DIR |\n"
    "                 restore DIR --data-dir NEW [--skip-contact-numbers N (10000)]\n";

void PrintSummary(const BackupSummary& summary, std::ostream& out) {
  for (const auto& [family, count] : summary.records) out << "  " << family << ' ' << count << '\n';
  out << "  total " << summary.total() << " records\n";
}

}  // namespace

int BackupCommand(const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "usage: " << kBackupUsage;
    return 2;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  std::string data_dir, dir;
  // Contacts numbered after the backup may be in letters already: a
  // restore starts past them. 10,000 is weeks of a large council's contacts.
  uint64_t skip = 10'000;
  cli::FlagParser flags("frontdoor backup " + args[0]);
  if (args[0] == "create" || args[0] == "restore") {
    flags.Required("data-dir", cli::Text(&data_dir)).Word("DIR", &dir);
    if (args[0] == "restore") flags.Optional("skip-contact-numbers", cli::Count(&skip, 100'000'000));
  } else if (args[0] == "verify") {
    flags.Word("DIR", &dir);
  } else {
    std::cerr << "frontdoor backup: unknown command " << args[0] << "\nusage: " << kBackupUsage;
    return 2;
  }
  if (absl::Status parsed = flags.Parse(rest); !parsed.ok()) {
    std::cerr << parsed.message() << "\nusage: " << kBackupUsage;
    return 2;
  }
  RestoredNumbers numbers;
  absl::StatusOr<BackupSummary> done = args[0] == "create"   ? CreateBackup(data_dir, dir)
                                       : args[0] == "verify" ? VerifyBackup(dir)
                                                             : RestoreBackup(dir, data_dir, skip, &numbers);
  if (!done.ok()) {
    std::cerr << "frontdoor backup " << args[0] << ": " << done.status().message() << "\n";
    return 1;
  }
  std::cout << "backup " << (args[0] == "create" ? "created in " : args[0] == "verify" ? "verified: " : "restored into ")
            << (args[0] == "restore" ? data_dir : dir) << "\n";
  PrintSummary(*done, std::cout);
  if (args[0] == "restore") {
    std::cout << "contacts numbered up to " << numbers.in_backup
              << " are in the backup; new contacts start at number " << numbers.next
              << " (those in between may be in letters sent after the backup)\n";
  }
  return 0;
}

}  // namespace frontdoor
