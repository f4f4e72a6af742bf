// The one flag parser: what it accepts (both spellings, words in order) and
// everything it refuses, each with the message a user sees.
#include "adapters/cli/flags.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace frontdoor::cli {
namespace {

using ::testing::HasSubstr;

struct Serve {
  std::string config, data_dir, listen = "127.0.0.1:8080";
  std::optional<std::string> clock;
};

// The flags of `frontdoor serve`, as main.cc declares them.
absl::Status ParseServe(const std::vector<std::string>& args, Serve* out) {
  FlagParser flags("frontdoor serve");
  flags.Required("config", Text(&out->config))
      .Required("data-dir", Text(&out->data_dir))
      .Optional("listen", ListenAddress(&out->listen))
      .Optional("clock", Clock(&out->clock));
  return flags.Parse(args);
}

std::string Refusal(const std::vector<std::string>& args) {
  Serve serve;
  absl::Status s = ParseServe(args, &serve);
  EXPECT_TRUE(absl::IsInvalidArgument(s)) << s;
  return std::string(s.message());
}

TEST(FlagParser, TakesBothSpellingsAndLeavesDefaults) {
  Serve serve;
  ASSERT_TRUE(ParseServe({"--config", "c.yaml", "--data-dir=/var/lib/fd"}, &serve).ok());
  EXPECT_EQ(serve.config, "c.yaml");
  EXPECT_EQ(serve.data_dir, "/var/lib/fd");
  EXPECT_EQ(serve.listen, "127.0.0.1:8080");
  EXPECT_EQ(serve.clock, std::nullopt);
}

TEST(FlagParser, ReadsTheClockChoices) {
  Serve serve;
  ASSERT_TRUE(ParseServe({"--config", "c", "--data-dir", "d", "--clock", "manual"}, &serve).ok());
  EXPECT_EQ(serve.clock, "");
  serve = {};
  ASSERT_TRUE(
      ParseServe({"--config", "c", "--data-dir", "d", "--clock=manual=2026-11-24T10:00:00Z"},
                 &serve)
          .ok());
  EXPECT_EQ(serve.clock, "2026-11-24T10:00:00Z");
  serve = {};
  ASSERT_TRUE(ParseServe({"--config", "c", "--data-dir", "d", "--clock=system"}, &serve).ok());
  EXPECT_EQ(serve.clock, std::nullopt);
}

TEST(FlagParser, RefusesABadClock) {
  // Regression: `--clock=bad` was silently taken for the system clock.
  EXPECT_EQ(Refusal({"--config", "c", "--data-dir", "d", "--clock=bad"}),
            "frontdoor serve: --clock takes system, manual or manual=RFC3339, not bad");
  EXPECT_THAT(Refusal({"--config", "c", "--data-dir", "d", "--clock", "manual=notatime"}),
              HasSubstr("frontdoor serve: --clock manual=notatime is not an RFC 3339"));
  EXPECT_THAT(Refusal({"--config", "c", "--data-dir", "d", "--clock=manual="}),
              HasSubstr("is not an RFC 3339"));
}

TEST(FlagParser, RefusesUnknownRepeatedAndValuelessFlags) {
  EXPECT_EQ(Refusal({"--config", "c", "--data-dir", "d", "--bogus", "x"}),
            "frontdoor serve: unknown flag --bogus");
  EXPECT_EQ(Refusal({"--bogus=x"}), "frontdoor serve: unknown flag --bogus");
  EXPECT_EQ(Refusal({"-c", "x"}), "frontdoor serve: unknown flag -c");
  EXPECT_EQ(Refusal({"--config", "a", "--config", "b", "--data-dir", "d"}),
            "frontdoor serve: --config is given twice");
  EXPECT_EQ(Refusal({"--data-dir", "d", "--config"}), "frontdoor serve: --config needs a value");
  EXPECT_EQ(Refusal({"--config=", "--data-dir", "d"}), "frontdoor serve: --config needs a value");
  // A flag where its value should be is a forgotten value, not a value.
  EXPECT_EQ(Refusal({"--config", "--data-dir", "d"}), "frontdoor serve: --config needs a value");
  EXPECT_EQ(Refusal({"--config", "c", "--data-dir", "d", "stray"}),
            "frontdoor serve: unexpected argument stray");
}

TEST(FlagParser, NamesEveryMissingRequiredFlag) {
  EXPECT_EQ(Refusal({}), "frontdoor serve: --config and --data-dir are required");
  EXPECT_EQ(Refusal({"--config", "c"}), "frontdoor serve: --data-dir is required");
}

TEST(FlagParser, RefusesABadListenAddress) {
  for (const char* bad : {"nope", ":8080", "host:", "host:port", "host:65536", "host:80x"}) {
    EXPECT_EQ(Refusal({"--config", "c", "--data-dir", "d", "--listen", bad}),
              "frontdoor serve: --listen takes HOST:PORT, e.g. 127.0.0.1:8080")
        << bad;
  }
  Serve serve;
  ASSERT_TRUE(ParseServe({"--config", "c", "--data-dir", "d", "--listen", "[::1]:0"}, &serve).ok());
  EXPECT_EQ(serve.listen, "[::1]:0");
}

TEST(SplitListenAddress, GivesHostAndPort) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(SplitListenAddress("127.0.0.1:8080", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 8080);
  ASSERT_TRUE(SplitListenAddress("[::1]:65535", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 65535);
}

TEST(FlagParser, ChecksDates) {
  std::optional<std::chrono::year_month_day> from, to;
  FlagParser flags("frontdoor rules backtest");
  flags.Optional("from", Date(&from)).Optional("to", Date(&to));
  ASSERT_TRUE(flags.Parse({"--from", "2026-02-28", "--to=2026-12-31"}).ok());
  EXPECT_EQ(from, (std::chrono::year_month_day{std::chrono::year(2026), std::chrono::February,
                                               std::chrono::day(28)}));
  EXPECT_TRUE(to.has_value());
  for (const char* bad : {"2026-13-01", "2026-02-30", "26-01-01", "2026/01/01", "yesterday"}) {
    absl::Status s = flags.Parse({"--from", bad});
    EXPECT_EQ(s.message(),
              "frontdoor rules backtest: --from takes a date written YYYY-MM-DD, not " +
                  std::string(bad));
  }
}

TEST(FlagParser, TakesWordsInOrderAndNamesAMissingOne) {
  std::string policy, cases;
  FlagParser flags("frontdoor rules test");
  flags.Word("POLICY.yaml", &policy).Word("CASES_DIR", &cases);
  ASSERT_TRUE(flags.Parse({"p.yaml", "cases/"}).ok());
  EXPECT_EQ(policy, "p.yaml");
  EXPECT_EQ(cases, "cases/");
  EXPECT_EQ(flags.Parse({"p.yaml"}).message(), "frontdoor rules test: needs CASES_DIR");
  EXPECT_EQ(flags.Parse({"a", "b", "c"}).message(), "frontdoor rules test: unexpected argument c");
  // A lone "-" is a word (standard input, by convention), not a flag.
  ASSERT_TRUE(flags.Parse({"-", "cases/"}).ok());
  EXPECT_EQ(policy, "-");
}

TEST(FlagParser, ChecksUrls) {
  std::string url;
  FlagParser flags("frontdoor open-cases load");
  flags.Optional("url", HttpUrl(&url));
  ASSERT_TRUE(flags.Parse({"--url", "http://127.0.0.1:8080"}).ok());
  EXPECT_EQ(url, "http://127.0.0.1:8080");
  for (const char* bad : {"https://example.org", "127.0.0.1:8080", "http://", "not a url"}) {
    EXPECT_EQ(flags.Parse({"--url", bad}).message(),
              "frontdoor open-cases load: --url must be http://HOST:PORT")
        << bad;
  }
}

}  // namespace
}  // namespace frontdoor::cli
