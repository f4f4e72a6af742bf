// Letters to referrers: checking a mustache template when the policy loads
// and rendering it from LetterValues. A template can only ever see what
// LetterValues holds (never the narrative, never a child's name or date of
// birth), and the load-time check refuses any placeholder outside that list,
// so a typo or a {{narrative}} is caught before a letter goes out rather
// than rendering as a silent blank. Letters are plain text: values are not
// HTML-escaped.
#include "rules/letters.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "absl/synchronization/mutex.h"
#include "frontdoor/thread_annotations.h"
#include "kainjow/mustache.hpp"
#include "rules/policy.h"
#include "rules/policy_internal.h"

namespace frontdoor::rules {

namespace {

constexpr std::array<std::string_view, 13> kLetterFields = {
    "contact_id",   "external_ref",    "referrer_name", "received_date",
    "children",     "outcome",         "reason",        "route",
    "decision_due", "decision_within", "urgent",        "emergency_duty_team_alerted",
    "any_signposts"};
constexpr std::string_view kSignposts = "signposts";
constexpr std::array<std::string_view, 3> kSignpostFields = {"service", "what_for", "how_to_reach"};

bool IsLetterField(std::string_view name) {
  return std::find(kLetterFields.begin(), kLetterFields.end(), name) != kLetterFields.end();
}
bool IsSignpostField(std::string_view name) {
  return std::find(kSignpostFields.begin(), kSignpostFields.end(), name) != kSignpostFields.end();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Known() {
  std::string out;
  for (std::string_view f : kLetterFields) {
    out += out.empty() ? "" : ", ";
    out += f;
  }
  return out + " and the list signposts (service, what_for, how_to_reach)";
}

// An empty value is "false" to mustache, so {{#external_ref}}...{{/external_ref}}
// prints only when there is a reference.
kainjow::mustache::data Value(const std::string& s) {
  if (s.empty()) return kainjow::mustache::data(kainjow::mustache::data::type::bool_false);
  return kainjow::mustache::data(s);
}

}  // namespace

namespace internal {

// The line of the first byte that is not UTF-8, or 0 when all is well.
// Letters are stored as protobuf strings, which must be UTF-8.
int FirstBadUtf8Line(std::string_view text) {
  int line = 1;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (length == 0 || i + length > text.size()) return line;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return line;
    }
    if (c == '\n') ++line;
    i += length;
  }
  return 0;
}

std::vector<TemplateProblem> CheckLetterTemplate(std::string_view text) {
  std::vector<TemplateProblem> problems;
  if (int line = FirstBadUtf8Line(text)) {
    problems.push_back({line, "is not UTF-8 text: save the template as UTF-8"});
    return problems;
  }
  {
    kainjow::mustache::mustache parsed{std::string(text)};
    if (!parsed.is_valid()) {
      problems.push_back({0, parsed.error_message()});
      return problems;
    }
  }
  // The library does not expose its parse, so walk the tags ourselves; the
  // template is known to be well formed by now.
  std::vector<std::string> sections;
  size_t pos = 0;
  int line = 1;
  size_t line_counted_to = 0;
  while ((pos = text.find("{{", pos)) != std::string_view::npos) {
    line += static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(line_counted_to),
                                        text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
    line_counted_to = pos;
    bool triple = text.substr(pos, 3) == "{{{";
    size_t start = pos + (triple ? 3 : 2);
    size_t end = text.find(triple ? "}}}" : "}}", start);
    if (end == std::string_view::npos) break;
    std::string_view tag = Trim(text.substr(start, end - start));
    pos = end + (triple ? 3 : 2);
    if (tag.empty()) continue;
    char kind = triple ? '&' : tag.front();
    if (kind == '!') continue;
    if (kind == '=') {
      problems.push_back({line, "changing the delimiters is not supported in letters"});
      return problems;
    }
    if (kind == '>') {
      problems.push_back({line, "partials ({{>...}}) are not supported in letters"});
      continue;
    }
    std::string_view name = tag;
    if (!triple && (kind == '#' || kind == '^' || kind == '/' || kind == '&')) {
      name = Trim(tag.substr(1));
    }
    bool in_signposts = std::find(sections.begin(), sections.end(), kSignposts) != sections.end();
    if (kind == '/') {
      if (!sections.empty()) sections.pop_back();
      continue;
    }
    bool opens = !triple && (kind == '#' || kind == '^');
    std::string quoted = "{{" + std::string(tag) + "}}";
    if (name == kSignposts) {
      if (!opens) {
        problems.push_back({line, quoted + " is a list: write {{#signposts}}...{{/signposts}}"});
      } else if (in_signposts) {
        problems.push_back({line, quoted + " cannot be inside {{#signposts}}"});
      }
    } else if (IsSignpostField(name)) {
      if (!in_signposts) {
        problems.push_back(
            {line, quoted + " can only be used inside {{#signposts}}...{{/signposts}}"});
      }
    } else if (!IsLetterField(name)) {
      problems.push_back({line, quoted + " is not a value letters may use; they are " + Known()});
    }
    if (opens) sections.emplace_back(name);
  }
  return problems;
}

struct ParsedLetters {
  struct Entry {
    explicit Entry(const std::string& text) : tmpl(text) {
      tmpl.set_custom_escape([](const std::string& s) { return s; });
    }
    absl::Mutex mu;
    kainjow::mustache::mustache tmpl GUARDED_BY(mu);
  };
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> by_name;
};

std::shared_ptr<ParsedLetters> ParseLetters(
    const std::map<std::string, std::string, std::less<>>& letters) {
  auto parsed = std::make_shared<ParsedLetters>();
  for (const auto& [name, text] : letters) {
    parsed->by_name.emplace(name, std::make_unique<ParsedLetters::Entry>(text));
  }
  return parsed;
}

}  // namespace internal

absl::StatusOr<RenderedLetter> Policy::RenderLetter(std::string_view name,
                                                    const LetterValues& values) const {
  auto it = compiled_->parsed_letters->by_name.find(name);
  if (it == compiled_->parsed_letters->by_name.end()) {
    return absl::NotFoundError("the policy has no letter template \"" + std::string(name) + "\"");
  }
  kainjow::mustache::data data;
  data.set("contact_id", Value(values.contact_id));
  data.set("external_ref", Value(values.external_ref));
  data.set("referrer_name", Value(values.referrer_name));
  data.set("received_date", Value(values.received_date));
  data.set("children", Value(values.children));
  data.set("outcome", Value(values.outcome));
  data.set("reason", Value(values.reason));
  data.set("route", Value(values.route));
  data.set("decision_due", Value(values.decision_due));
  data.set("decision_within", Value(values.decision_within));
  auto flag = [](bool b) {
    return kainjow::mustache::data(b ? kainjow::mustache::data::type::bool_true
                                     : kainjow::mustache::data::type::bool_false);
  };
  data.set("urgent", flag(values.urgent));
  data.set("emergency_duty_team_alerted", flag(values.emergency_duty_team_alerted));
  kainjow::mustache::data signposts{kainjow::mustache::data::type::list};
  for (const v1::Signpost& s : values.signposts) {
    kainjow::mustache::data entry;
    entry.set("service", Value(s.service()));
    entry.set("what_for", Value(s.what_for()));
    entry.set("how_to_reach", Value(s.how_to_reach()));
    signposts.push_back(entry);
  }
  data.set("signposts", signposts);
  // A section header printed once, above the list, when there is one.
  data.set(
      "any_signposts",
      kainjow::mustache::data(values.signposts.empty() ? kainjow::mustache::data::type::bool_false
                                                       : kainjow::mustache::data::type::bool_true));

  std::string text;
  {
    internal::ParsedLetters::Entry& entry = *it->second;
    absl::MutexLock lock(&entry.mu);
    text = entry.tmpl.render(data);
    if (!entry.tmpl.is_valid()) {
      return absl::InternalError("letter template \"" + std::string(name) +
                                 "\" failed to render: " + entry.tmpl.error_message());
    }
  }
  RenderedLetter letter;
  size_t newline = text.find('\n');
  letter.subject = std::string(Trim(std::string_view(text).substr(0, newline)));
  if (newline != std::string::npos) {
    size_t body = newline + 1;
    // One blank line may separate the subject from the body.
    if (body < text.size() && text[body] == '\n') ++body;
    letter.body = text.substr(body);
  }
  return letter;
}

}  // namespace frontdoor::rules
