// Tests of the calendar against fixed instants (no clock is read): office
// hours either side of both 2026 clock changes, bank holiday Mondays,
// Easter and Christmas 2026 (with the 28 December substitute day), working
// hours across a weekend, working days from a Friday, and starts outside
// office hours. Holidays come from the shipped deploy/bank-holidays.json.
// Also the rest of the calendar library: locating the time zone, clock
// times and days, date wording and children's ages.
#include "calendar/calendar.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "calendar/age.h"
#include "calendar/date_words.h"
#include "calendar/london_time.h"
#include "tests/support/source_tree.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

using std::chrono::year_month_day;
using ::testing::HasSubstr;

TimePoint At(const char* rfc3339) {
  absl::StatusOr<TimePoint> t = ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.ok()) << rfc3339;
  return t.value_or(TimePoint{});
}

year_month_day Day(int y, unsigned m, unsigned d) {
  return year_month_day{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
}

v1::TimescaleSpec Hours(int n) {
  v1::TimescaleSpec s;
  s.set_hours(n);
  return s;
}
v1::TimescaleSpec WorkingHours(int n) {
  v1::TimescaleSpec s;
  s.set_working_hours(n);
  return s;
}
v1::TimescaleSpec WorkingDays(int n) {
  v1::TimescaleSpec s;
  s.set_working_days(n);
  return s;
}

class CalendarTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto holidays = Calendar::LoadBankHolidays(testing::BankHolidaysPath());
    ASSERT_TRUE(holidays.ok()) << holidays.status();
    auto calendar = Calendar::Make(v1::OfficeHours(), *holidays);
    ASSERT_TRUE(calendar.ok()) << calendar.status();
    calendar_.emplace(*std::move(calendar));
  }

  std::string Due(const char* start, const v1::TimescaleSpec& spec) const {
    return FormatRfc3339(calendar_->DueAt(At(start), spec));
  }

  std::optional<Calendar> calendar_;
};

TEST_F(CalendarTest, BankHolidayFileCoversEnglandAndWales2024To2027) {
  auto holidays = Calendar::LoadBankHolidays(testing::BankHolidaysPath());
  ASSERT_TRUE(holidays.ok());
  EXPECT_EQ(holidays->size(), 32u);
  EXPECT_THAT(*holidays, ::testing::Contains(Day(2026, 12, 28)));
  EXPECT_THAT(*holidays, ::testing::Contains(Day(2027, 3, 26)));  // Good Friday 2027
  EXPECT_THAT(*holidays, ::testing::Contains(Day(2027, 3, 29)));  // Easter Monday 2027
  EXPECT_THAT(*holidays, ::testing::Contains(Day(2027, 12, 28)));
}

TEST_F(CalendarTest, OfficeHoursInWinter) {
  // Tuesday 3 March 2026, GMT.
  EXPECT_FALSE(calendar_->IsOpen(At("2026-03-03T08:59:59Z")));
  EXPECT_TRUE(calendar_->IsOpen(At("2026-03-03T09:00:00Z")));
  EXPECT_TRUE(calendar_->IsOpen(At("2026-03-03T16:59:59Z")));
  EXPECT_FALSE(calendar_->IsOpen(At("2026-03-03T17:00:00Z")));
  EXPECT_FALSE(calendar_->IsOpen(At("2026-03-07T12:00:00Z")));  // Saturday
}

TEST_F(CalendarTest, SpringClockChange) {
  // Clocks go forward at 01:00 GMT on Sunday 29 March 2026 (last Sunday).
  // Monday 30 March opens at 09:00 BST, which is 08:00 UTC.
  EXPECT_FALSE(calendar_->IsOpen(At("2026-03-30T07:59:00Z")));
  EXPECT_TRUE(calendar_->IsOpen(At("2026-03-30T08:00:00Z")));
  EXPECT_FALSE(calendar_->IsOpen(At("2026-03-30T16:00:00Z")));
  // 24 clock hours across the change: 12:00 GMT Saturday to 13:00 BST Sunday.
  EXPECT_EQ(Due("2026-03-28T12:00:00Z", Hours(24)), "2026-03-29T12:00:00Z");
  // Friday 16:00 GMT plus 4 working hours: one on Friday, three from 09:00
  // BST Monday.
  EXPECT_EQ(Due("2026-03-27T16:00:00Z", WorkingHours(4)), "2026-03-30T11:00:00Z");
  EXPECT_EQ(FormatRfc3339(calendar_->NextOpening(At("2026-03-28T10:00:00Z"))),
            "2026-03-30T08:00:00Z");
}

TEST_F(CalendarTest, AutumnClockChange) {
  // Clocks go back at 02:00 BST on Sunday 25 October 2026 (last Sunday).
  EXPECT_TRUE(calendar_->IsOpen(At("2026-10-23T15:59:00Z")));   // Friday 16:59 BST
  EXPECT_FALSE(calendar_->IsOpen(At("2026-10-23T16:00:00Z")));  // Friday 17:00 BST
  EXPECT_FALSE(calendar_->IsOpen(At("2026-10-26T08:30:00Z")));  // Monday 08:30 GMT
  EXPECT_TRUE(calendar_->IsOpen(At("2026-10-26T09:00:00Z")));
  // 24 clock hours: 12:00 BST Saturday is 11:00 GMT on Sunday.
  EXPECT_EQ(Due("2026-10-24T11:00:00Z", Hours(24)), "2026-10-25T11:00:00Z");
  // Friday 16:00 BST plus 4 working hours: one on Friday, three from 09:00
  // GMT Monday.
  EXPECT_EQ(Due("2026-10-23T15:00:00Z", WorkingHours(4)), "2026-10-26T12:00:00Z");
  EXPECT_EQ(Due("2026-10-23T15:00:00Z", WorkingDays(1)), "2026-10-26T17:00:00Z");
}

TEST_F(CalendarTest, LocalDateFollowsSummerTime) {
  EXPECT_EQ(calendar_->LocalDate(At("2026-06-30T23:30:00Z")), Day(2026, 7, 1));
  EXPECT_EQ(calendar_->LocalDate(At("2026-12-31T23:30:00Z")), Day(2026, 12, 31));
}

TEST_F(CalendarTest, BankHolidayMonday) {
  // Spring bank holiday, Monday 25 May 2026.
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2026, 5, 25)));
  EXPECT_FALSE(calendar_->IsOpen(At("2026-05-25T10:00:00Z")));
  // Friday 16:00 BST + 4 working hours: one on Friday, three from Tuesday
  // 09:00 BST.
  EXPECT_EQ(Due("2026-05-22T15:00:00Z", WorkingHours(4)), "2026-05-26T11:00:00Z");
  EXPECT_EQ(Due("2026-05-22T15:00:00Z", WorkingDays(1)), "2026-05-26T16:00:00Z");
  // Clock hours do not care about holidays.
  EXPECT_EQ(Due("2026-05-22T15:00:00Z", Hours(72)), "2026-05-25T15:00:00Z");
}

TEST_F(CalendarTest, ChristmasAndBoxingDay2026) {
  // Christmas Day is a Friday; Boxing Day falls on Saturday, so Monday 28
  // December is the substitute day.
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2026, 12, 25)));
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2026, 12, 28)));
  EXPECT_TRUE(calendar_->IsWorkingDay(Day(2026, 12, 29)));
  EXPECT_TRUE(calendar_->IsWorkingDay(Day(2026, 12, 24)));
  // Thursday 24 December 16:00 + 4 working hours: one on Thursday, three
  // from Tuesday 29 December.
  EXPECT_EQ(Due("2026-12-24T16:00:00Z", WorkingHours(4)), "2026-12-29T12:00:00Z");
  EXPECT_EQ(Due("2026-12-24T16:00:00Z", WorkingDays(1)), "2026-12-29T17:00:00Z");
  EXPECT_EQ(FormatRfc3339(calendar_->NextOpening(At("2026-12-24T17:30:00Z"))),
            "2026-12-29T09:00:00Z");
}

TEST_F(CalendarTest, Easter2026) {
  // Good Friday 3 April and Easter Monday 6 April 2026 (Easter Sunday 5 April).
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2026, 4, 3)));
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2026, 4, 6)));
  EXPECT_TRUE(calendar_->IsWorkingDay(Day(2026, 4, 2)));
  EXPECT_TRUE(calendar_->IsWorkingDay(Day(2026, 4, 7)));
  // Maundy Thursday 16:00 BST + 1 working day: the close on Tuesday 7 April.
  EXPECT_EQ(Due("2026-04-02T15:00:00Z", WorkingDays(1)), "2026-04-07T16:00:00Z");
  // One hour on Thursday, eight on Tuesday and Wednesday, seven on Thursday.
  EXPECT_EQ(Due("2026-04-02T15:00:00Z", WorkingHours(24)), "2026-04-09T15:00:00Z");
}

TEST_F(CalendarTest, Easter2027IsInTheFile) {
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2027, 3, 26)));
  EXPECT_FALSE(calendar_->IsWorkingDay(Day(2027, 3, 29)));
  EXPECT_TRUE(calendar_->IsWorkingDay(Day(2027, 3, 30)));
}

TEST_F(CalendarTest, WorkingHoursAcrossAWeekend) {
  // Friday 6 March 2026 15:00 + 4 working hours: two on Friday, two on Monday.
  EXPECT_EQ(Due("2026-03-06T15:00:00Z", WorkingHours(4)), "2026-03-09T11:00:00Z");
  // 24 working hours are three office days: Tuesday 10:00 to Friday 10:00.
  EXPECT_EQ(Due("2026-03-03T10:00:00Z", WorkingHours(24)), "2026-03-06T10:00:00Z");
  // Hours that run out exactly at the close are due at the close.
  EXPECT_EQ(Due("2026-03-03T13:00:00Z", WorkingHours(4)), "2026-03-03T17:00:00Z");
}

TEST_F(CalendarTest, WorkingDaysFromAFriday) {
  EXPECT_EQ(Due("2026-03-06T11:00:00Z", WorkingDays(1)), "2026-03-09T17:00:00Z");
  EXPECT_EQ(Due("2026-03-06T11:00:00Z", WorkingDays(5)), "2026-03-13T17:00:00Z");
  // From a Saturday the first working day after is Monday.
  EXPECT_EQ(Due("2026-03-07T11:00:00Z", WorkingDays(1)), "2026-03-09T17:00:00Z");
}

TEST_F(CalendarTest, StartOutsideOfficeHours) {
  // Before opening: counting starts at 09:00 the same day.
  EXPECT_EQ(Due("2026-03-03T07:00:00Z", WorkingHours(4)), "2026-03-03T13:00:00Z");
  // After closing: from 09:00 the next day.
  EXPECT_EQ(Due("2026-03-03T18:30:00Z", WorkingHours(4)), "2026-03-04T13:00:00Z");
  // Exactly at the close counts as closed.
  EXPECT_EQ(Due("2026-03-03T17:00:00Z", WorkingHours(1)), "2026-03-04T10:00:00Z");
  // Saturday night: from Monday 09:00.
  EXPECT_EQ(Due("2026-03-07T23:00:00Z", WorkingHours(2)), "2026-03-09T11:00:00Z");
  EXPECT_EQ(FormatRfc3339(calendar_->NextOpening(At("2026-03-03T10:00:00Z"))),
            "2026-03-03T10:00:00Z");
  // Clock hours start on arrival, day or night.
  EXPECT_EQ(Due("2026-03-07T23:00:00Z", Hours(24)), "2026-03-08T23:00:00Z");
}

TEST_F(CalendarTest, NoLengthIsZero) {
  EXPECT_EQ(Due("2026-03-07T23:00:00Z", v1::TimescaleSpec()), "2026-03-07T23:00:00Z");
}

TEST(CalendarMakeTest, CustomOfficeHours) {
  v1::OfficeHours hours;
  hours.set_opens("08:30");
  hours.set_closes("16:30");
  hours.add_days("Monday");
  hours.add_days("SATURDAY");
  auto calendar = Calendar::Make(hours, {});
  ASSERT_TRUE(calendar.ok()) << calendar.status();
  EXPECT_TRUE(calendar->IsOpen(At("2026-03-07T08:30:00Z")));   // Saturday
  EXPECT_FALSE(calendar->IsOpen(At("2026-03-03T10:00:00Z")));  // Tuesday
  EXPECT_FALSE(calendar->IsOpen(At("2026-03-09T16:30:00Z")));  // Monday after close
  // Saturday 15:30 + 2 working hours: one on Saturday, one on Monday.
  EXPECT_EQ(FormatRfc3339(calendar->DueAt(At("2026-03-07T15:30:00Z"), WorkingHours(2))),
            "2026-03-09T09:30:00Z");
}

TEST(CalendarMakeTest, BadOfficeHoursNameTheField) {
  v1::OfficeHours hours;
  hours.set_opens("9am");
  auto calendar = Calendar::Make(hours, {});
  EXPECT_EQ(calendar.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(calendar.status().message()), HasSubstr("office_hours.opens"));
  hours.set_opens("10:00");
  hours.set_closes("09:00");
  EXPECT_FALSE(Calendar::Make(hours, {}).ok());
  hours.set_closes("18:00");
  hours.add_days("Funday");
  EXPECT_THAT(std::string(Calendar::Make(hours, {}).status().message()),
              HasSubstr("office_hours.days[0]"));
}

TEST(CalendarLoadTest, ErrorsForMissingOrBadFiles) {
  testing::TempDir scratch;
  const std::filesystem::path& dir = scratch.path();
  EXPECT_EQ(Calendar::LoadBankHolidays(dir / "none.json").status().code(),
            absl::StatusCode::kNotFound);
  std::ofstream(dir / "bad.json") << "{not json";
  EXPECT_EQ(Calendar::LoadBankHolidays(dir / "bad.json").status().code(),
            absl::StatusCode::kInvalidArgument);
  std::ofstream(dir / "list.json") << "[]";
  EXPECT_THAT(std::string(Calendar::LoadBankHolidays(dir / "list.json").status().message()),
              HasSubstr("not JSON in the GOV.UK bank holidays format"));
  std::ofstream(dir / "nodate.json")
      << R"({"england-and-wales": {"events": [{"title": "x", "date": 20260102}]}})";
  EXPECT_THAT(std::string(Calendar::LoadBankHolidays(dir / "nodate.json").status().message()),
              HasSubstr("england-and-wales.events[0].date: missing"));
  std::ofstream(dir / "scotland.json")
      << R"({"scotland": {"division": "scotland", "events": [{"title": "x", "date": "2026-01-02"}]}})";
  EXPECT_THAT(std::string(Calendar::LoadBankHolidays(dir / "scotland.json").status().message()),
              HasSubstr("no \"england-and-wales\" division"));
  auto scotland = Calendar::LoadBankHolidays(dir / "scotland.json", "scotland");
  ASSERT_TRUE(scotland.ok());
  EXPECT_EQ(scotland->front(), Day(2026, 1, 2));
  std::ofstream(dir / "baddate.json")
      << R"({"england-and-wales": {"events": [{"title": "x", "date": "2026-02-30"}]}})";
  EXPECT_THAT(std::string(Calendar::LoadBankHolidays(dir / "baddate.json").status().message()),
              HasSubstr("\"2026-02-30\" is not a date"));
  std::filesystem::remove_all(dir);
}

// --- Europe/London ---------------------------------------------------------

// Regression: the letter wording once called date::locate_zone unguarded,
// which throws on the writer thread when the zone is missing. The one
// lookup now returns an error instead.
TEST(LocateZoneTest, AMissingZoneIsAnErrorNotAnException) {
  absl::StatusOr<const date::time_zone*> zone = LocateZone("Europe/Nowhere");
  EXPECT_EQ(zone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(zone.status().message()), HasSubstr("Europe/Nowhere"));
}

TEST(LocateZoneTest, LondonIsFoundOnce) {
  absl::StatusOr<const date::time_zone*> zone = LocateZone(kLondonZone);
  ASSERT_TRUE(zone.ok()) << zone.status() << " (deploy/install-deps.sh installs tzdata)";
  EXPECT_EQ(London(), *zone);
  EXPECT_TRUE(LondonStatus().ok());
}

TEST(LondonTimeTest, ConvertsBothWaysAcrossSummerTime) {
  // 23:30 UTC on 30 June is 00:30 on 1 July in London.
  EXPECT_EQ(LondonDate(At("2026-06-30T23:30:00Z")), Day(2026, 7, 1));
  EXPECT_EQ(LondonDate(At("2026-12-31T23:30:00Z")), Day(2026, 12, 31));
  TimePoint t = At("2026-06-16T08:30:00Z");
  EXPECT_EQ(FromLondon(ToLondon(t)), t);
  // 01:30 on 29 March 2026 never happens in London: the clocks go forward.
  Millis gap =
      std::chrono::sys_days(Day(2026, 3, 29)).time_since_epoch() + std::chrono::minutes(90);
  EXPECT_EQ(FormatRfc3339(FromLondon(gap)), "2026-03-29T01:00:00Z");
}

TEST(ClockTest, ParsesHoursAndMinutesOnly) {
  EXPECT_EQ(ParseClock("09:30"), std::chrono::minutes(570));
  EXPECT_EQ(ParseClock("00:00"), std::chrono::minutes(0));
  EXPECT_EQ(ParseClock("24:00"), std::chrono::minutes(24 * 60));
  for (const char* bad : {"9am", "9:30", "24:01", "12:60", "", "12-30", "ab:cd"}) {
    EXPECT_EQ(ParseClock(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ParseWeekday("monday"), std::chrono::Monday);
  EXPECT_EQ(ParseWeekday("SUNDAY"), std::chrono::Sunday);
  EXPECT_EQ(ParseWeekday("Funday"), std::nullopt);
}

// --- Date wording ----------------------------------------------------------

TEST(DateWordsTest, WritesLondonDatesAndTimes) {
  EXPECT_EQ(FormatLongDate(At("2026-03-04T10:00:00Z")), "4 March 2026");
  EXPECT_EQ(FormatLongDate(At("2026-06-30T23:30:00Z")), "1 July 2026");
  EXPECT_EQ(FormatLongDate(Day(2026, 11, 24)), "24 November 2026");
  EXPECT_EQ(FormatTimeOnDate(At("2026-11-25T09:30:00Z")), "09:30 on 25 November 2026");
  EXPECT_EQ(FormatTimeOnDate(At("2026-06-16T08:05:59Z")), "09:05 on 16 June 2026");
  EXPECT_EQ(FormatMonthAndYear(Day(2027, 3, 5)), "March 2027");
  EXPECT_EQ(FormatDayMonthYear(Day(2026, 3, 4)), "04/03/2026");
  EXPECT_EQ(FormatIsoDate(Day(2026, 3, 4)), "2026-03-04");
}

// --- Ages ------------------------------------------------------------------

TEST(AgeTest, WholeMonthsAndYearsAsPeopleCountThem) {
  EXPECT_EQ(AgeInMonths(Day(2026, 3, 15), Day(2026, 4, 14)), 0);
  EXPECT_EQ(AgeInMonths(Day(2026, 3, 15), Day(2026, 4, 15)), 1);
  EXPECT_EQ(AgeInMonths(Day(2026, 1, 31), Day(2026, 3, 1)), 1);
  EXPECT_EQ(AgeInMonths(Day(2025, 6, 1), Day(2026, 5, 31)), 11);
  EXPECT_EQ(AgeInMonths(Day(2025, 6, 1), Day(2026, 6, 1)), 12);
  EXPECT_EQ(AgeInYears(Day(2025, 6, 1), Day(2026, 5, 31)), 0);
  EXPECT_EQ(AgeInYears(Day(2025, 6, 1), Day(2026, 6, 1)), 1);
  EXPECT_EQ(AgeInYears(Day(2019, 1, 15), Day(2026, 7, 1)), 7);
  // 29 February: 1 on 1 March of a common year, not on 28 February.
  EXPECT_EQ(AgeInYears(Day(2024, 2, 29), Day(2025, 2, 28)), 0);
  EXPECT_EQ(AgeInYears(Day(2024, 2, 29), Day(2025, 3, 1)), 1);
  // A date of birth after the day counts as a newborn.
  EXPECT_EQ(AgeInMonths(Day(2026, 5, 1), Day(2026, 3, 1)), 0);
  EXPECT_EQ(AgeInYears(Day(2027, 5, 1), Day(2026, 3, 1)), 0);
}

}  // namespace
}  // namespace frontdoor
