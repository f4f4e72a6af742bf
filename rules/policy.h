// A threshold policy: the safeguarding partnership's decision tables, its
// timescales, office hours, letters and signposting, loaded from a YAML file
// under rules/policies/ and checked against the schema in policy.proto.
//
// A loaded Policy is immutable and safe to share between threads; the engine
// holds it through shared_ptr<const Policy> so that a reload can swap it
// while requests that started with the old one finish with it.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/tree_reader.h"
#include "frontdoor/v1/contact.pb.h"
#include "frontdoor/v1/events.pb.h"
#include "frontdoor/v1/policy.pb.h"
#include "rules/facts.h"
#include "rules/letters.h"

namespace frontdoor::rules {

struct Evaluation {
  // route, level, rag, rule_id, reasons, rules_version, policy_label,
  // automatic and signposts. With no rule matching: route
  // ROUTE_UNSPECIFIED, level 0 and a reason saying triage must decide.
  v1::Recommendation recommendation;
  // Every rule considered, with its conditions and the values seen.
  v1::Explanation explanation;
  // The policy's timescales with the matched rule's overrides applied, and
  // the defaults (24 h decision, 72 h mash) filled in where neither says.
  v1::Timescales timescales;
  // The outcome letter template to use when the contact closes.
  std::string outcome_letter = "outcome";
  // Out of hours, this contact must reach the emergency duty team at once.
  // Always true for immediate risk.
  bool urgent = false;
};

// One problem in a policy file, for `frontdoor rules check` and the reload
// endpoint: "default.yaml:42: tables[0].rules[3].then.level: must be 1 to 4".
struct PolicyError {
  std::string file;
  int line = 0;
  std::string field;
  std::string message;

  std::string ToString() const;
};

// What Evaluate builds besides the recommendation.
struct EvaluateOptions {
  // Build Evaluation::explanation: every rule considered with each of its
  // conditions and the values seen. Costs string building for every rule of
  // every table tried; backtests and other bulk callers turn it off.
  // Default: true.
  bool explain = true;
};

// The level of need a front-door route meets, on the policy's own scale of
// levels (1 universal to 4 statutory), for comparing a decision with what
// the rules recommended: 1 no further action, return to the referrer or
// signposting (universal services), 2 early help, 3 MASH, 4 a social care
// assessment or a strategy discussion. -1 for routes not on the scale (an
// existing case's team, none).
int RouteNeedLevel(v1::Route::Code route);

class Policy {
 public:
  // Reads a policy file and the letter templates it names (paths relative to
  // the file's folder). On failure returns every problem found, each with
  // file, line, field and the bad value.
  static absl::StatusOr<std::shared_ptr<const Policy>> LoadFile(
      const std::filesystem::path& path, std::vector<PolicyError>* errors = nullptr);

  // The same for text already in memory; `file_name` names it in errors and
  // `base_dir` is where letter templates are looked up.
  static absl::StatusOr<std::shared_ptr<const Policy>> LoadText(
      std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
      std::vector<PolicyError>* errors = nullptr);

  // Rebuilds a policy kept in the store: its text, and its letter templates
  // by the paths the policy names them with (see TemplatesByPath). Gives
  // the same version() as the files it was first loaded from.
  static absl::StatusOr<std::shared_ptr<const Policy>> LoadStored(
      std::string_view text, const std::map<std::string, std::string>& templates_by_path,
      const std::string& file_name, std::vector<PolicyError>* errors = nullptr);

  // The letter templates as loaded, by the path the policy names them with:
  // what the store keeps besides text() so that LoadStored can rebuild it.
  std::map<std::string, std::string> TemplatesByPath() const;

  // "sha256:" and the first 16 hex digits of the hash of the policy text and
  // its letter templates: the rules_version every recommendation records.
  const std::string& version() const { return version_; }
  // The policy's own label, e.g. "Continuum of need 2026".
  const std::string& label() const { return spec_.label(); }
  const v1::Policy& spec() const { return spec_; }
  // The file's text as loaded, kept with each version in the store.
  const std::string& text() const { return text_; }
  const std::filesystem::path& path() const { return path_; }

  // Pure and thread-safe: the same facts always give the same evaluation.
  Evaluation Evaluate(const Facts& facts) const { return Evaluate(facts, EvaluateOptions{}); }
  Evaluation Evaluate(const Facts& facts, const EvaluateOptions& options) const;
  // The same recommendation, timescales and urgency without the explanation.
  Evaluation EvaluateFast(const Facts& facts) const {
    return Evaluate(facts, EvaluateOptions{.explain = false});
  }
  // Only the rule that decides (null when none matches), without building
  // anything: for counting routes over many contacts. The pointer lives as
  // long as the Policy.
  const v1::Rule* Decide(const Facts& facts) const;

  // Management oversight (Policy.authorisation): why a person's front-door
  // decision on `route` must wait for a manager, in words for the manager;
  // empty when it takes effect at once. It waits when the policy lists the
  // route, or (below_recommendation, default on) when the route closes the
  // contact at a lower RouteNeedLevel than the recommended route's.
  std::string AuthorisationNeeded(const v1::Recommendation& recommendation,
                                  v1::Route::Code route) const;

  // Renders the named template ("acknowledgement", "outcome", or a name from
  // the policy's letters map). A template's first line is its subject.
  // Errors: NotFound for an unknown template name.
  absl::StatusOr<RenderedLetter> RenderLetter(std::string_view name,
                                              const LetterValues& values) const;

  ~Policy();

 private:
  struct Compiled;
  Policy();
  static absl::StatusOr<std::shared_ptr<Policy>> Build(
      std::string_view text, const std::string& file_name, const std::filesystem::path& base_dir,
      std::vector<PolicyError>* errors,
      const std::map<std::string, std::string>* stored_templates = nullptr);

  v1::Policy spec_;
  std::string text_;
  std::string version_;
  std::filesystem::path path_;
  std::unique_ptr<const Compiled> compiled_;
};

}  // namespace frontdoor::rules
