// CSV in and out: fields quoted only when they must be, records that span
// lines, "\r\n" files, UTF-8 passed through, what the writer writes read
// back by the reader; and the two report layouts, byte for byte.
#include "adapters/csv/csv.h"

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/csv/reports.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/reports.pb.h"

namespace frontdoor::csv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

std::vector<std::vector<std::string>> ReadAll(const std::string& text, std::vector<int>* lines) {
  std::istringstream in(text);
  Reader reader(in);
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> fields;
  while (true) {
    int line = reader.line();
    if (!reader.Next(&fields)) break;
    if (lines != nullptr) lines->push_back(line);
    records.push_back(fields);
  }
  return records;
}

TEST(CsvField, QuotesOnlyWhatMustBeQuoted) {
  EXPECT_EQ(Field("plain"), "plain");
  EXPECT_EQ(Field(""), "");
  EXPECT_EQ(Field("Jo, Jr"), "\"Jo, Jr\"");
  EXPECT_EQ(Field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Field("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(Field("cr\rhere"), "\"cr\rhere\"");
  // UTF-8 needs no quoting and passes through byte for byte.
  EXPECT_EQ(Field("Zoë Łukasz-Ó'Brien"), "Zoë Łukasz-Ó'Brien");
}

TEST(CsvField, AppendRecordJoinsAndEndsTheLine) {
  std::string out;
  AppendRecord(out, {"a", "b,c", ""});
  AppendRecord(out, {"only"});
  EXPECT_EQ(out, "a,\"b,c\",\nonly\n");
}

TEST(CsvReader, ReadsQuotedCommasQuotesAndLineBreaks) {
  std::vector<int> lines;
  auto records = ReadAll(
      "id,name,note\n"
      "1,\"Jo, Jr\",\"said \"\"no\"\"\"\n"
      "2,Sam,\"first line\nsecond line\"\n"
      "3,Zoë,ok\n",
      &lines);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(records[1], ElementsAre("1", "Jo, Jr", "said \"no\""));
  EXPECT_THAT(records[2], ElementsAre("2", "Sam", "first line\nsecond line"));
  EXPECT_THAT(records[3], ElementsAre("3", "Zoë", "ok"));
  // The record after a two-line field starts two lines on.
  EXPECT_THAT(lines, ElementsAre(1, 2, 3, 5));
}

TEST(CsvReader, CrLfLineEndsEmptyLinesAndNoFinalNewline) {
  auto records = ReadAll("a,b\r\n\r\nc,\"d\r\ne\"\r\nlast", nullptr);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_THAT(records[0], ElementsAre("a", "b"));
  EXPECT_THAT(records[1], ElementsAre(""));             // an empty line is one empty field
  EXPECT_THAT(records[2], ElementsAre("c", "d\r\ne"));  // kept inside quotes
  EXPECT_THAT(records[3], ElementsAre("last"));
  EXPECT_TRUE(ReadAll("", nullptr).empty());
}

TEST(CsvReader, ReadsBackWhatTheWriterWrote) {
  const std::vector<std::string> awkward = {
      "", ",", "\"", "\"\"", "a\nb", "a,\"b\"\n,c", "Zoë", "日本語", " lead and trail "};
  std::string out;
  for (const std::string& value : awkward) AppendRecord(out, {"k", value, "end"});
  auto records = ReadAll(out, nullptr);
  ASSERT_EQ(records.size(), awkward.size());
  for (size_t i = 0; i < awkward.size(); ++i) {
    EXPECT_THAT(records[i], ElementsAre("k", awkward[i], "end")) << i;
  }
}

TEST(CsvReports, IndicatorsOneNumberARow) {
  v1::Indicators in;
  in.set_from("2026-11-23");
  in.set_to("2026-11-29");
  in.set_contacts_received(3);
  auto* school = in.add_by_source();
  school->set_source(v1::Source::SCHOOLS);
  school->set_count(2);
  auto* day = in.add_by_day();
  day->set_date("2026-11-24");
  day->set_total(3);
  *day->add_by_source() = *school;
  auto* week = in.add_by_week();
  week->set_week_start("2026-11-23");
  week->set_contacts(3);
  week->set_decided_in_time_share(2.0 / 3);
  week->set_median_hours_to_decision(1.5);
  in.mutable_decided_within_timescale()->set_share(1);
  in.set_conversion_to_referral(0.123456);
  in.mutable_consent()->set_given(2);
  std::string text = WriteIndicators(in);
  EXPECT_THAT(text, StartsWith("indicator,period,dimension,value\n"
                               "contacts_received,2026-11-23..2026-11-29,,3\n"
                               "contacts_by_source,2026-11-23..2026-11-29,SCHOOLS,2\n"
                               "contacts_by_day,2026-11-24,,3\n"
                               "contacts_by_day_and_source,2026-11-24,SCHOOLS,2\n"
                               "week_contacts,2026-11-23,,3\n"
                               "week_decided_in_time_share,2026-11-23,,0.6667\n"
                               "week_mash_in_time_share,2026-11-23,,0\n"));
  EXPECT_THAT(text, HasSubstr("week_median_hours_to_decision,2026-11-23,,1.5\n"));
  EXPECT_THAT(text, HasSubstr("decided_within_timescale_share,2026-11-23..2026-11-29,,1\n"));
  EXPECT_THAT(text, HasSubstr("conversion_to_referral,2026-11-23..2026-11-29,,0.1235\n"));
  EXPECT_THAT(text, HasSubstr("\nconsent,2026-11-23..2026-11-29,GIVEN,2\n"
                              "consent,2026-11-23..2026-11-29,REFUSED,0\n"
                              "consent,2026-11-23..2026-11-29,NOT_SOUGHT,0\n"));
  EXPECT_EQ(text.back(), '\n');
}

TEST(CsvReports, DecisionsPerWorkerAndNoFormulaFromANameTheProviderGave) {
  v1::Indicators in;
  in.set_from("2026-11-23");
  in.set_to("2026-11-29");
  auto* sam = in.add_decisions_by_worker();
  sam->mutable_actor()->set_id("sub-5a7");
  sam->mutable_actor()->set_name("Sam Patel");
  sam->mutable_actor()->set_role("triage");
  sam->set_decisions(3);
  sam->set_in_time(2);
  sam->set_in_time_share(2.0 / 3);
  auto* odd = in.add_decisions_by_worker();
  odd->mutable_actor()->set_id("sub-0dd");
  odd->mutable_actor()->set_name("=HYPERLINK(\"x\")");
  odd->set_decisions(1);
  std::string text = WriteIndicators(in);
  EXPECT_THAT(text,
              HasSubstr("worker_name,2026-11-23..2026-11-29,sub-5a7,Sam Patel\n"
                        "worker_role,2026-11-23..2026-11-29,sub-5a7,triage\n"
                        "worker_decisions,2026-11-23..2026-11-29,sub-5a7,3\n"
                        "worker_decisions_in_time,2026-11-23..2026-11-29,sub-5a7,2\n"
                        "worker_decisions_in_time_share,2026-11-23..2026-11-29,sub-5a7,0.6667\n"));
  EXPECT_THAT(text,
              HasSubstr("worker_name,2026-11-23..2026-11-29,sub-0dd,\"'=HYPERLINK(\"\"x\"\")\"\n"));
}

TEST(CsvReports, AnnexAContactsInOfstedsLayout) {
  std::vector<v1::AnnexAContact> rows(3);
  rows[0].set_child_id("P-0001");
  rows[0].set_sex(v1::Sex::F);
  rows[0].set_date_of_birth("2017-08-07");
  rows[0].set_age_years(9);
  rows[0].set_date_of_contact("2026-11-24");
  rows[0].set_source(v1::Source::SCHOOLS);
  rows[1].set_child_id("FD-00000002-1, unborn");  // a comma, so quoted
  rows[1].set_sex(v1::Sex::U);
  rows[1].set_date_of_contact("2026-01-05");
  rows[1].set_source(v1::Source::POLICE);
  rows[2].set_child_id("P-0003");
  rows[2].set_sex(v1::Sex::M);
  rows[2].set_date_of_birth("2026-03-01");
  rows[2].set_age_years(0);  // under one: 0, not empty
  rows[2].set_date_of_contact("2026-11-24");
  rows[2].set_source(v1::Source::POLICE);
  EXPECT_EQ(WriteAnnexAContacts(rows),
            "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),"
            "Date of Contact,Contact Source\n"
            "P-0001,b) Female,s) NOBT,07/08/2017,9,24/11/2026,e) 2A: Schools\n"
            "\"FD-00000002-1, unborn\",c) Not stated/recorded,s) NOBT,,,05/01/2026,q) 6: Police\n"
            "P-0003,a) Male,s) NOBT,01/03/2026,0,24/11/2026,q) 6: Police\n");
  EXPECT_EQ(WriteAnnexAContacts({}),
            "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),"
            "Date of Contact,Contact Source\n");
}

}  // namespace
}  // namespace frontdoor::csv
